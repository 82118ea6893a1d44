import { join } from 'node:path';

export const TEST_DATA_DIR = join(__dirname, '..', '..', '.weft', 'test');
export const TEST_BUNDLE_PATH = join(TEST_DATA_DIR, 'workflow-bundle.js');
export const TEST_ENV_FILE = join(TEST_DATA_DIR, 'env.json');
