import type { DevServer } from '../../src/temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __weftDevServer?: DevServer }).__weftDevServer;
  await server?.stop();
}
