import { ConfigError, loadSettings, StartupError } from './config/settings';
import { createLogger } from './logger';
import { startWeft } from './runtime';

/**
 * Runs one production process of docker-compose: the API or a worker, against an external
 * Temporal and PostgreSQL (PGlite cannot be shared between processes).
 */
export async function runStandalone(role: 'api' | 'worker'): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings.logLevel, `weft-${role}`);
  if (!settings.temporalAddress) throw new Error(`TEMPORAL_ADDRESS: required for a standalone ${role} (npm start embeds a dev server)`);
  if (!settings.databaseUrl) throw new Error(`DATABASE_URL: required for a standalone ${role} (npm start embeds PGlite)`);
  const weft = await startWeft(settings, { api: role === 'api', worker: role === 'worker', log });
  if (role === 'api') log.info({ url: weft.apiUrl }, 'api listening');
  else log.info({ taskQueue: settings.taskQueue }, 'worker running');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void weft.stop().then(() => process.exit(0)));
  }
}

/** Entry-point glue: a failed start prints the reason and exits non-zero. */
export function runStandaloneMain(role: 'api' | 'worker'): void {
  runStandalone(role).catch((err: unknown) => {
    const refusal = err instanceof ConfigError || err instanceof StartupError;
    console.error(refusal ? `weft-${role}: ${err.message}` : err);
    process.exit(refusal ? 2 : 1);
  });
}
