import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../src/temporal/dev-server';
import { quietBundlerLogger } from '../../src/temporal/quiet-bundler-logger';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/temporal/worker';
import { TEST_DATA_DIR, testBundlePath, testEnvFile } from './paths';

/**
 * Once per `npm test`: one real Temporal dev server for every test file (each file uses its own
 * task queue), and one workflow bundle instead of a webpack run per file.
 */
export default async function globalSetup(): Promise<void> {
  process.env.WEFT_TEST_RUN_DIR = join(TEST_DATA_DIR, `run-${process.pid}`);
  const server = await startDevServer({ log: (m) => console.error(m) });
  (globalThis as { __weftDevServer?: unknown }).__weftDevServer = server;
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietBundlerLogger });
  mkdirSync(process.env.WEFT_TEST_RUN_DIR, { recursive: true });
  writeFileSync(testBundlePath(), code);
  writeFileSync(testEnvFile(), JSON.stringify({ temporalAddress: server.address }));
  process.env.WEFT_TEST_TEMPORAL_ADDRESS = server.address;
}
