import pino, { type Logger } from 'pino';
import { queryErrorSummary } from './db/errors';

/**
 * The `err` serializer of every Weft logger: pino's own, except for a failed query, whose
 * parameters (user data, sealed secrets) and text stay out of the log (see queryErrorSummary).
 */
export function serializeError(err: unknown): unknown {
  return queryErrorSummary(err) ?? pino.stdSerializers.err(err as Error);
}

/** One structured logger per process. Secrets never reach it: callers log ids, not payloads. */
export function createLogger(level: string, name = 'weft', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    serializers: { err: serializeError },
    redact: { paths: ['req.headers.authorization', '*.password', '*.secret', '*.token'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
