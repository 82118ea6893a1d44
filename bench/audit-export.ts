/**
 * The audit export at scale: N chained audit records (default 1,000,000) in PostgreSQL, exported
 * through the real API (`GET /api/v1/audit/export`) as CSV and as NDJSON by a client that only
 * counts what it reads. Prints rows/s, MB/s and how much the process's RSS grew above its level
 * before the export (the server streams batch by batch, so it should stay flat); then a slow
 * client that reads ~6 MB/s for a few seconds (backpressure: the server must not buffer ahead);
 * then the time `GET /api/v1/audit/verify` takes to walk the whole chain.
 *
 * The records are written by one PL/pgSQL loop that chains them exactly like the insert trigger
 * (which is switched off for the load: one transaction appending a million rows through the
 * chain head would update that one row a million times).
 *
 * Needs PostgreSQL: DATABASE_URL names an admin connection; a fresh database is created and dropped.
 * Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/audit-export.ts [N]
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { createApp } from '../src/api/app';
import { signToken } from '../src/auth/tokens';
import { openDatabase } from '../src/db';
import { createLogger } from '../src/logger';
import { createFreshDatabaseUrl } from '../test/integration/db/fresh-database';

const N = Number(process.argv[2] ?? 1_000_000);
const SECRET = 'bench-secret-bench-secret-bench-secret';
const MB = 1024 * 1024;

const rssMb = () => process.memoryUsage.rss() / MB;

/** Samples RSS every 50 ms until stopped; answers the peak. */
function sampleRss(): { stop(): number } {
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb());
    },
  };
}

/** Chains N records in one loop, as the trigger would, with the trigger off. */
function loadSql(n: number) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`N must be a positive integer, not ${n}`);
  return sql.raw(`
DO $$
DECLARE
  prev text := repeat('0', 64);
  actions text[] := array['workflow.created','workflow.published','execution.started','execution.completed','execution.failed','approval.approve','user.updated','connector.updated'];
  ts timestamptz;
  h text;
BEGIN
  FOR i IN 1..${n} LOOP
    ts := timestamptz '2025-01-01 00:00:00+00' + i * interval '10 milliseconds';
    h := weft_audit_hash(prev, i, ts, 'user-' || (i % 500), actions[1 + i % 8], 'execution', 'exec-' || i, 'wf-' || (i % 200),
      jsonb_build_object('n', i, 'note', 'bulk load'), jsonb_build_object('status', 'running'), jsonb_build_object('status', 'completed', 'durationMs', i % 5000),
      md5(i::text), '10.0.' || (i % 250) || '.' || (i % 200), 'bench/1.0 (audit-export)');
    INSERT INTO audit_log (seq, at, actor, action, resource_type, resource_id, workflow_id, details, before, after, request_id, client_ip, user_agent, prev_hash, hash)
    VALUES (i, ts, 'user-' || (i % 500), actions[1 + i % 8], 'execution', 'exec-' || i, 'wf-' || (i % 200),
      jsonb_build_object('n', i, 'note', 'bulk load'), jsonb_build_object('status', 'running'), jsonb_build_object('status', 'completed', 'durationMs', i % 5000),
      md5(i::text), '10.0.' || (i % 250) || '.' || (i % 200), 'bench/1.0 (audit-export)', prev, h);
    prev := h;
  END LOOP;
  UPDATE audit_chain_head SET last_seq = ${n}, last_hash = prev WHERE id = 1;
END
$$`);
}

async function exportOnce(base: string, token: string, format: 'csv' | 'ndjson') {
  const before = rssMb();
  const rss = sampleRss();
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/audit/export?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  // RSS at each quarter of the export: flat means it stops rising once the heap has settled, whatever N.
  const quarters: number[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (lines >= ((quarters.length + 1) * N) / 4) quarters.push(rssMb());
  }
  const seconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  const records = format === 'csv' ? lines - 1 : lines;
  console.log(
    `${format.padEnd(6)} ${records.toLocaleString()} records, ${(bytes / MB).toFixed(0)} MB in ${seconds.toFixed(1)} s: ` +
      `${Math.round(records / seconds).toLocaleString()} records/s, ${(bytes / MB / seconds).toFixed(1)} MB/s; ` +
      `RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB); ` +
      `at 25/50/75/100%: ${quarters.map((q) => q.toFixed(0)).join('/')} MB`,
  );
  if (records !== N) throw new Error(`expected ${N} records, read ${records}`);
}

/** A client reading ~6.4 MB/s for `seconds`: without backpressure the server would buffer the rest. */
async function slowReader(base: string, token: string, seconds: number) {
  const before = rssMb();
  const rss = sampleRss();
  const stop = new AbortController();
  const res = await fetch(`${base}/api/v1/audit/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` }, signal: stop.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    await new Promise((r) => setTimeout(r, Math.max(1, (value.byteLength / (6.4 * MB)) * 1000)));
  }
  stop.abort();
  await reader.cancel().catch(() => undefined);
  const peak = rss.stop();
  console.log(`slow   read ${(bytes / MB).toFixed(0)} MB in ${seconds} s; RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB)`);
}

async function main() {
  const fresh = await createFreshDatabaseUrl('weft_bench');
  const database = await openDatabase({ databaseUrl: fresh.url });
  try {
    let t = performance.now();
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger user`);
      await tx.execute(sql`alter table audit_chain_head disable trigger user`);
      await tx.execute(loadSql(N));
      await tx.execute(sql`alter table audit_chain_head enable trigger user`);
      await tx.execute(sql`alter table audit_log enable trigger user`);
    });
    await database.db.execute(sql`vacuum analyze audit_log`);
    console.log(`loaded ${N.toLocaleString()} chained records in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // The API needs a Temporal client; nothing here calls it, so a lazy connection that never dials will do.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const app = createApp({ database, temporal, taskQueue: 'bench', jwtSecret: SECRET, log: createLogger('silent'), secretsKey: Buffer.alloc(32), httpAllowedHosts: [] });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = signToken(SECRET, { sub: 'bench', roles: ['auditor'] });
    try {
      await exportOnce(base, token, 'csv');
      await exportOnce(base, token, 'ndjson');
      await slowReader(base, token, 5);
      t = performance.now();
      const verify = (await (await fetch(`${base}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } })).json()) as { intact: boolean; records: number };
      console.log(`verify ${verify.records.toLocaleString()} records in ${((performance.now() - t) / 1000).toFixed(1)} s: intact=${verify.intact}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  } finally {
    await database.close();
    await fresh.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
