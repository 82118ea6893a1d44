import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { type z } from 'zod';
import { isWeftError, WeftError, type ValidationIssue } from '../graph/errors';
import { fromZodIssues } from '../graph/zod-issues';
import { dependencyProblem } from './dependency-errors';

/**
 * Parses a request part with zod.
 * @throws WeftError INVALID_REQUEST listing every offending path
 */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new WeftError('INVALID_REQUEST', `the request ${where} is not valid`, { issues: fromZodIssues(result.error.issues, []) });
  }
  return result.data;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** RFC 9457 problem details with Weft's stable `code` and, for validation, every JSON path. */
export function problemBody(status: number, code: string, detail: string, issues: ValidationIssue[] = [], instance?: string) {
  return {
    type: `https://weft.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(instance ? { instance } : {}),
    ...(issues.length ? { errors: issues } : {}),
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .type('application/problem+json')
    .json(problemBody(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`, [], req.originalUrl));
};

/**
 * The one place errors become responses. A dependency that failed (the database or Temporal
 * unreachable, Temporal refusing) is a problem with its code (dependency-errors.ts); anything
 * else that is not a WeftError is a bug: 500, logged.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    // The access log's child (access-log.ts): its lines carry the request id.
    const reqLog: Logger = (req as { log?: Logger }).log ?? log;
    let status: number;
    let body: ReturnType<typeof problemBody>;
    const dependency = isWeftError(err) ? undefined : dependencyProblem(err);
    if (dependency) {
      status = dependency.status;
      body = problemBody(status, dependency.code, dependency.detail, [], req.originalUrl);
      if (dependency.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(dependency.retryAfterSeconds));
      reqLog.warn({ err, path: req.originalUrl }, 'a dependency failed the request');
    } else if (isWeftError(err)) {
      status = err.status;
      // A limit tells when to come back (RATE_LIMITED, WORKFLOW_LIMIT_REACHED).
      if (typeof err.details?.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(err.details.retryAfterSeconds));
      body = problemBody(status, err.code, err.message, err.issues, req.originalUrl);
    } else if ((err as { type?: string }).type === 'entity.parse.failed') {
      status = 400;
      body = problemBody(
        400,
        'INVALID_REQUEST',
        'the request body is not valid JSON',
        [{ path: '', code: 'invalid_json', message: (err as Error).message }],
        req.originalUrl,
      );
    } else if ((err as { type?: string }).type === 'entity.too.large') {
      status = 413;
      body = problemBody(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large', [], req.originalUrl);
    } else {
      status = 500;
      reqLog.error({ err, path: req.originalUrl }, 'unhandled error');
      body = problemBody(500, 'INTERNAL', 'internal error', [], req.originalUrl);
    }
    if (status >= 500 && isWeftError(err)) reqLog.error({ err, path: req.originalUrl }, 'request failed');
    // RFC 9110: a 401 names the scheme that would work.
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="weft"');
    res.status(status).type('application/problem+json').json(body);
  };
}

/** A named route parameter (Express types them loosely; the route guarantees presence). */
export function param(req: { params: Record<string, string | string[] | undefined> }, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || value === '') throw new WeftError('INVALID_REQUEST', `missing path parameter ${name}`);
  return value;
}
