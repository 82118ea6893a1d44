import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
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
  const cli = ensureTemporalCli(opts.log);
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });
  const namespace = opts.namespace ?? 'default';
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      dbFilename: opts.dbFile,
      port: opts.port,
      ui: opts.ui ?? false,
      uiPort: opts.uiPort,
      namespace,
      searchAttributes: WEFT_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
    },
  });
  const address = env.address;
  const port = Number(address.split(':').pop());
  const uiUrl = opts.ui ? `http://localhost:${opts.uiPort ?? port + 1000}` : undefined;
  return { address, uiUrl, namespace, stop: () => env.teardown() };
}
