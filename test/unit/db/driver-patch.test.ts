/**
 * `patches/postgres+3.4.9.patch` is applied by the postinstall script (patch-package). An install
 * that skipped scripts (`--ignore-scripts`) would bring back the defect that killed the process
 * when PostgreSQL ended a session: say so here, by name, rather than in a crash.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The package root, above the CommonJS entry `cjs/src/index.js` (package.json is not exported).
const root = join(dirname(require.resolve('postgres')), '..', '..');

test.each([['cjs/src/connection.js'], ['src/connection.js'], ['cf/src/connection.js']])(
  'the installed postgres driver carries the closed-socket guard: %s',
  (file) => {
    const source = readFileSync(join(root, file), 'utf8');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version).toBe('3.4.9');
    expect(source).toContain('function nextWrite(fn) {\n    // weft patch');
    expect(source).toContain('return fetchArrayTypes().catch(');
  },
);
