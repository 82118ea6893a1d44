/**
 * The API's log of a database outage names what failed without what was asked: a query whose
 * parameter is a user's data, against a PostgreSQL that refuses connections, is answered 503 and
 * logged with the error's code and class and a summary of the query, never its text or values.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { createLogger } from '../../src/logger';
import { accessLog } from '../../src/api/access-log';
import { errorHandler } from '../../src/api/problem';
import { assignRequestId } from '../../src/api/request-context';
import { freePort } from '../support/ports';

test('a refused database connection is logged with its code, class and query summary, without the query text or its parameters', async () => {
  // Nothing listens there: the driver's connection is refused, as when PostgreSQL is down.
  const client = postgres(`postgres://postgres@127.0.0.1:${await freePort()}/weft`, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  const db = drizzle(client);
  const lines: string[] = [];
  const log = createLogger('info', 'weft', { write: (line: string) => void lines.push(line) });
  const secret = 'iban-DE89370400440532013000';

  const app = express();
  app.use(assignRequestId());
  app.use(accessLog(log));
  app.get('/accounts', (_req, res, next) => {
    db.execute(sql`select id, name from workflow_definitions where name = ${secret} and version_count > ${7}`).then(
      () => res.json({}),
      (err: unknown) => next(err),
    );
  });
  app.use(errorHandler(log));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/accounts`, { headers: { 'X-Request-Id': 'outage-1' } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
    const warn = parsed.find((l) => l.msg === 'a dependency failed the request');
    expect(warn).toMatchObject({
      level: 40,
      requestId: 'outage-1',
      path: '/accounts',
      err: { type: 'DrizzleQueryError', code: 'ECONNREFUSED', query: 'select workflow_definitions' },
    });
    expect(warn!.err.message).toContain('ECONNREFUSED');
    // Nothing of the query's values or text, on any line.
    const all = lines.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toMatch(/params|parameters|version_count|where name/i);
    // The access line marks the 503 with the same request id.
    expect(parsed.find((l) => l.res?.statusCode === 503)).toMatchObject({ requestId: 'outage-1', level: 40 });
  } finally {
    server.close();
    await client.end({ timeout: 1 });
  }
});
