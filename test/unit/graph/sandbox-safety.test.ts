/**
 * src/graph is imported by Temporal workflow code: it must not reach Node built-ins, the clock,
 * or dynamic code evaluation. This reads the sources (the test itself runs in Node).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '../../../src/graph');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

/** Source text without comments, so that documentation may mention what the code must not do. */
function code(file: string): string {
  return readFileSync(join(dir, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('src/graph stays workflow-sandbox safe', () => {
  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  // semver: pure string parsing; its only reach outside is a guarded `typeof process` debug switch.
  it.each(files)('%s imports only jsonata, zod, @cfworker/json-schema (an interpreter, no code generation), semver and relative modules', (file) => {
    // Import and export statements (also `import 'x'` and `import type`) and require() calls.
    const statements = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm;
    const specifiers = [...code(file).matchAll(statements)].map((m) => m[1] ?? m[2] ?? m[3]);
    for (const s of specifiers) {
      expect(s === 'jsonata' || s === 'zod' || s === '@cfworker/json-schema' || s === 'semver' || s?.startsWith('./')).toBe(true);
    }
  });

  it.each(files)('%s uses no eval, Function constructor, clock, timers or process', (file) => {
    const text = code(file);
    for (const banned of [
      /\beval\s*\(/,
      /new\s+Function\b/,
      /\bDate\.now\b/,
      /new\s+Date\b/,
      /\bsetTimeout\b/,
      /\bsetInterval\b/,
      /\bprocess\./,
      /\bBuffer\b/,
      /\bperformance\./,
    ]) {
      expect(text).not.toMatch(banned);
    }
  });
});
