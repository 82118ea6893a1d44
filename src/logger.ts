import pino, { type Logger } from 'pino';

/** One structured logger per process. Secrets never reach it: callers log ids, not payloads. */
export function createLogger(level: string, name = 'weft'): Logger {
  return pino({ name, level, redact: { paths: ['req.headers.authorization', '*.password', '*.secret', '*.token'], censor: '[redacted]' } });
}
