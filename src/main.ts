// `npm start`: API + worker + embedded Temporal dev server + PGlite (or what the environment names).
import './telemetry/register';
import { signToken } from './auth/tokens';
import { ConfigError, loadSettings, StartupError } from './config/settings';
import { createLogger } from './logger';
import { startWeft } from './runtime';

async function main(): Promise<void> {
  let settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(settings.logLevel);
  const weft = await startWeft(settings, { api: true, worker: true, log });
  const token = signToken(weft.jwtSecret, { sub: 'admin', roles: ['admin'] });
  const lines = [
    '',
    'Weft is running.',
    `  API:              ${weft.apiUrl}/api/v1   (health: ${weft.apiUrl}/ready)`,
    `  Console:          ${weft.apiUrl}/   (sign in with the admin token below)`,
    `  Temporal:         ${weft.temporalAddress}`,
    `  Temporal Web UI:  ${weft.temporalUiUrl ?? '(external Temporal: use its own UI)'}`,
    `  Database:         ${weft.database.kind === 'pglite' ? `PGlite in ${settings.dataDir}/pglite` : 'PostgreSQL (DATABASE_URL)'}`,
    `  Admin token:      ${token}`,
    '',
    `  Try: curl -H "Authorization: Bearer $TOKEN" ${weft.apiUrl}/api/v1/workflows`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    weft.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  // A refusal to start says what to change; a stack trace would only bury it.
  console.error(err instanceof StartupError ? `weft: ${err.message}` : err);
  process.exit(err instanceof StartupError ? 2 : 1);
});
