/**
 * The lint rule weft/no-import-cycle (scripts/lint/no-import-cycle.js) reports an import circle
 * made of type-only imports, which import-x/no-cycle lets through, and leaves a file that merely
 * imports one side of the circle alone.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const noImportCycle = require('../../../scripts/lint/no-import-cycle');

const FIXTURES = join(__dirname, 'fixtures');

test('a circle of type-only imports is reported at each file in it, with the route; a file outside it is not', async () => {
  const eslint = new ESLint({
    cwd: FIXTURES,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, parserOptions: { project: join(FIXTURES, 'tsconfig.json'), tsconfigRootDir: FIXTURES } },
        plugins: { weft: { rules: { 'no-import-cycle': noImportCycle } } },
        rules: { 'weft/no-import-cycle': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['order.ts', 'order-line.ts', 'invoice.ts'].map((f) => join(FIXTURES, f)));
  const messages = Object.fromEntries(results.map((r) => [r.filePath.slice(FIXTURES.length + 1), r.messages.map((m) => m.message)]));
  expect(messages).toEqual({
    'order.ts': ['import circle, type-only imports included: order.ts → order-line.ts → order.ts'],
    'order-line.ts': ['import circle, type-only imports included: order-line.ts → order.ts → order-line.ts'],
    'invoice.ts': [],
  });
});
