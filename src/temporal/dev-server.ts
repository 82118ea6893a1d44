import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { StartupError } from '../config/settings';
import { WEFT_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { ensureTemporalCli } from './cli';

export interface DevServer {
  /** host:port of the frontend. */
  address: string;
  /** URL of the Web UI, when enabled. */
  uiUrl: string | undefined;
  namespace: string;
  stop(): Promise<void>;
}

/** The embedded dev server could not start; the message says what to change. */
export class DevServerStartError extends StartupError {
  override readonly name = 'DevServerStartError';
}

/** The interface the dev server listens on (the SDK's default). */
const DEV_SERVER_IP = '127.0.0.1';

export interface DevServerOptions {
  /** SQLite file that keeps executions across restarts; in memory when omitted. */
  dbFile?: string;
  port?: number;
  /** Starts the Web UI on this port (default: port + 1000 when `ui` is set). */
  ui?: boolean;
  uiPort?: number;
  namespace?: string;
  log?: (msg: string) => void;
}

/**
 * Starts a Temporal CLI dev server with Weft's search attributes registered. Uses the local CLI
 * (building it with Go when needed) and falls back to the SDK's own download elsewhere.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const uiPort = opts.ui && opts.port !== undefined ? (opts.uiPort ?? opts.port + 1000) : opts.uiPort;
  // The CLI exits when a port is taken, but the SDK then finds whatever answers on that port
  // and reports success: a second Weft would silently join the first one's server.
  if (opts.port !== undefined) await assertPortFree(opts.port, 'WEFT_TEMPORAL_PORT', 'the embedded Temporal dev server');
  if (opts.ui && uiPort !== undefined) await assertPortFree(uiPort, 'WEFT_TEMPORAL_PORT', "the embedded Temporal dev server's Web UI (WEFT_TEMPORAL_PORT + 1000)");
  const cli = ensureTemporalCli(opts.log);
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });
  const namespace = opts.namespace ?? 'default';
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      dbFilename: opts.dbFile,
      ip: DEV_SERVER_IP,
      port: opts.port,
      ui: opts.ui ?? false,
      uiPort,
      namespace,
      searchAttributes: WEFT_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
    },
  });
  const address = env.address;
  const port = Number(address.split(':').pop());
  const uiUrl = opts.ui ? `http://localhost:${uiPort ?? port + 1000}` : undefined;
  return { address, uiUrl, namespace, stop: () => env.teardown() };
}

/**
 * Binds `port` for a moment to learn whether it is free.
 * @throws DevServerStartError naming the port, what needed it and the variable that moves it
 */
async function assertPortFree(port: number, variable: string, what: string): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    probe.listen({ port, host: DEV_SERVER_IP, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
  if (!error) return;
  const why = error.code === 'EADDRINUSE' ? 'is already in use (another Weft, or a Temporal server?)' : `cannot be bound (${error.code ?? error.message})`;
  throw new DevServerStartError(
    `Weft cannot start ${what}: ${DEV_SERVER_IP}:${port} ${why}. ` +
      `Set ${variable} to a free port for this installation (its Web UI takes that port + 1000), ` +
      'or set TEMPORAL_ADDRESS to use a running Temporal server on purpose.',
  );
}
