// Standalone API process (docker-compose `api` service): external Temporal and PostgreSQL.
import { loadSettings } from './config/settings';
import { createLogger } from './logger';
import { startWeft } from './runtime';

async function main(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings.logLevel, 'weft-api');
  if (!settings.temporalAddress) throw new Error('TEMPORAL_ADDRESS: required for a standalone API (npm start embeds one)');
  if (!settings.databaseUrl) throw new Error('DATABASE_URL: required for a standalone API (PGlite cannot be shared with the worker)');
  const weft = await startWeft(settings, { api: true, worker: false, log });
  log.info({ url: weft.apiUrl }, 'api listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void weft.stop().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
