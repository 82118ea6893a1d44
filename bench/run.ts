/**
 * `npm run bench [-- --quick] [name…]`: runs the benchmarks one after another, each in its own
 * process (so one's memory and threads do not weigh on the next), and leaves their figures in
 * bench/results/<name>.<mode>.json beside the last run's. Quick mode takes a few minutes with
 * smaller loads; full mode runs the loads the goals are stated for (tens of minutes).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchArgs, benchMode } from './support/report';

/** Name → script; the order is the order they run in. */
export const BENCHES: Record<string, string> = {
  interpreter: 'interpreter-overhead.ts',
  'api-starts': 'api-starts.ts',
  approvals: 'approvals.ts',
  'long-loop': 'long-loop.ts',
  'site-config': 'site-config.ts',
  'rollout-staged': 'rollout-staged.ts',
  'what-if': 'what-if.ts',
  analytics: 'analytics.ts',
  'cluster-scale': 'cluster-scale.ts',
};

function main(): number {
  const mode = benchMode();
  const asked = benchArgs();
  const unknown = asked.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    return 2;
  }
  const names = asked.length > 0 ? asked : Object.keys(BENCHES);
  const tsx = require.resolve('tsx/cli');
  const failed: string[] = [];
  for (const name of names) {
    console.log(`\n=== ${name} (${mode}) ===`);
    const args = [tsx, join(__dirname, BENCHES[name] as string), ...(mode === 'quick' ? ['--quick'] : [])];
    const run = spawnSync(process.execPath, args, { stdio: 'inherit', env: process.env });
    if (run.status !== 0) failed.push(name);
  }
  if (failed.length > 0) console.error(`\nfailed: ${failed.join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = main();
