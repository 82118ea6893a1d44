// Runs the `temporal` CLI against Weft's Temporal: npm run temporal:cli -- workflow list
// Finds the CLI (or builds it with Go), and points it at TEMPORAL_ADDRESS, or at the embedded dev
// server of `npm start` (127.0.0.1:WEFT_TEMPORAL_PORT), in TEMPORAL_NAMESPACE.
import { spawnSync } from 'node:child_process';
import { loadSettings } from '../src/config/settings';
import { ensureTemporalCli } from '../src/temporal/cli';

const settings = loadSettings();
const cli = ensureTemporalCli();
if (!cli) {
  console.error('weft: no temporal CLI on PATH or at TEMPORAL_CLI_PATH, and no Go toolchain to build it (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)');
  process.exit(2);
}
const env = {
  ...process.env,
  TEMPORAL_ADDRESS: settings.temporalAddress ?? `127.0.0.1:${settings.temporalDevPort}`,
  TEMPORAL_NAMESPACE: settings.temporalNamespace,
};
const run = spawnSync(cli, process.argv.slice(2), { stdio: 'inherit', env });
process.exit(run.status ?? 1);
