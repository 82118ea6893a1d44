import { rmSync } from 'node:fs';
import type { DevServer } from '../../src/temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __weftDevServer?: DevServer }).__weftDevServer;
  await server?.stop();
  if (process.env.WEFT_TEST_RUN_DIR) rmSync(process.env.WEFT_TEST_RUN_DIR, { recursive: true, force: true });
}
