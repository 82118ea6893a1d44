import { join } from 'node:path';

export const TEST_DATA_DIR = join(__dirname, '..', '..', '.weft', 'test');

/**
 * The folder of this `npm test` run (bundle and dev-server address). Global setup names it per
 * run and Jest's workers inherit it through the environment, so two runs in one checkout never
 * share a dev server or a workflow bundle.
 */
function runDir(): string {
  return process.env.WEFT_TEST_RUN_DIR ?? join(TEST_DATA_DIR, 'current');
}

export const testBundlePath = (): string => join(runDir(), 'workflow-bundle.js');
export const testEnvFile = (): string => join(runDir(), 'env.json');
