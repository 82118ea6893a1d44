/** `npm run temporal:cli` reaches Weft's Temporal with the project's own settings. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testTemporalAddress } from '../support/harness';

test('npm run temporal:cli -- operator search-attribute list shows Weft search attributes', () => {
  const root = join(__dirname, '..', '..');
  const run = spawnSync('npm', ['run', '--silent', 'temporal:cli', '--', 'operator', 'search-attribute', 'list'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TEMPORAL_ADDRESS: testTemporalAddress() },
    timeout: 60_000,
  });
  expect(run.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('WeftDefinitionId');
});
