import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { serializeError } from '../logger';

/** Paths scraped or probed all the time: logged at debug, not at info. */
const PROBES = new Set(['/metrics', '/health', '/ready']);

/** Query parameters whose values are credentials (the console's one-time `?token=`). */
const SECRET_QUERY = /([?&](?:token|access_token|api_key|apikey|secret|password)=)[^&#]*/gi;

/** The URL as the access log shows it: a credential in the query string is redacted. */
export function loggedUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

/** Which pino level a finished request is logged at. */
function levelOf(req: IncomingMessage, res: ServerResponse, err?: Error): 'debug' | 'info' | 'warn' | 'error' {
  if (err) return 'error';
  // A 5xx is logged with its cause by the error handler; the access line only marks it.
  if (res.statusCode >= 500) return 'warn';
  return PROBES.has((req.url ?? '').split('?')[0]!) ? 'debug' : 'info';
}

/**
 * The HTTP access log (pino-http): one line per request with method, URL, status, response time
 * and `requestId`, the same id the response's `X-Request-Id` answers (assignRequestId, which must
 * run first, is its one source). Lines the request's handlers log through `req.log` carry it too.
 */
export function accessLog(log: Logger): RequestHandler {
  return pinoHttp({
    logger: log,
    genReqId: (req) => (req as Request).requestId ?? '',
    customAttributeKeys: { reqId: 'requestId' },
    // req.log binds only the request id; the access line itself carries the request and response.
    quietReqLogger: true,
    customLogLevel: levelOf,
    customSuccessMessage: (req, res) => `${req.method} ${loggedUrl((req as Request).originalUrl ?? req.url ?? '')} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${loggedUrl((req as Request).originalUrl ?? req.url ?? '')} ${res.statusCode}`,
    serializers: {
      err: serializeError,
      // No headers: they carry tokens and cookies.
      req: (req: { method?: string; url?: string; remoteAddress?: string; raw?: Request }) => ({
        method: req.method,
        url: loggedUrl(req.raw?.originalUrl ?? req.url ?? ''),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
