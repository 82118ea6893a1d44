import pino, { type Logger } from 'pino';
import { queryErrorSummary } from './db/errors';

/**
 * The `err` serializer of every Weft logger: pino's own, except for a failed query, whose
 * parameters (user data, sealed secrets) and text stay out of the log (see queryErrorSummary).
 */
export function serializeError(err: unknown): unknown {
  // pino-http hands serializers pino's own serialization, which keeps the error itself in `raw`.
  const original = (err as { raw?: unknown } | undefined)?.raw ?? err;
  return queryErrorSummary(original) ?? (original === err ? pino.stdSerializers.err(err as Error) : err);
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
