/**
 * `GET /metrics`: the API's Prometheus text. HTTP requests are counted as they are answered; the
 * state of Weft (executions by workflow and status, approvals waiting and how long decisions
 * took, circuit breakers, rollouts) is read from PostgreSQL when scraped, so every API process
 * reports the same truth and nothing is kept twice. A scrape reads it at most every few seconds.
 */
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql } from 'drizzle-orm';
import { executeRows, type WeftDb } from '../db/client';

/** Scrapes closer together than this share one reading of the database. */
const STATE_TTL_MS = 5_000;

interface StateReading {
  executions: Array<{ workflow: string; status: string; n: number }>;
  approvalsPending: number;
  decisionSeconds: { p50: number | null; p95: number | null };
  breakers: Array<{ service: string; state: string }>;
  rollouts: Array<{ status: string; n: number }>;
}

async function readState(db: WeftDb): Promise<StateReading> {
  const [executions, approvals, decisions, breakers, rollouts] = await Promise.all([
    executeRows<{ workflow: string; status: string; n: string }>(
      db,
      sql`select definition_id as workflow, status, count(*)::text as n from executions group by definition_id, status`,
    ),
    executeRows<{ n: string }>(db, sql`select count(*)::text as n from approval_requests where status = 'pending'`),
    // Decisions of the last day: how long a request waited for the decision that ended it.
    executeRows<{ p50: number | null; p95: number | null }>(
      db,
      sql`select percentile_cont(0.5) within group (order by s) as p50, percentile_cont(0.95) within group (order by s) as p95
          from (select extract(epoch from (d.decided_at - r.requested_at)) as s
                from approval_decisions d join approval_requests r on r.id = d.request_id
                where d.decided_at > now() - interval '1 day') w`,
    ),
    executeRows<{ service: string; state: string }>(db, sql`select service_id as service, state from circuit_breakers`),
    executeRows<{ status: string; n: string }>(db, sql`select status, count(*)::text as n from rollouts group by status`),
  ]);
  const p = decisions[0];
  return {
    executions: executions.map((r) => ({ workflow: r.workflow, status: r.status, n: Number(r.n) })),
    approvalsPending: Number(approvals[0]?.n ?? 0),
    decisionSeconds: {
      p50: p?.p50 === null || p?.p50 === undefined ? null : Number(p.p50),
      p95: p?.p95 === null || p?.p95 === undefined ? null : Number(p.p95),
    },
    breakers,
    rollouts: rollouts.map((r) => ({ status: r.status, n: Number(r.n) })),
  };
}

/** The API's metrics: a middleware that counts requests, and the `/metrics` handler. */
export function createApiMetrics(db: WeftDb) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'weft_api_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'weft_http_requests_total',
    help: 'HTTP requests answered, by route template and status',
    labelNames,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'weft_http_request_duration_seconds',
    help: 'time to answer an HTTP request, by route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  let reading: { at: number; state: Promise<StateReading | undefined> } | undefined;
  const state = (): Promise<StateReading | undefined> => {
    if (!reading || Date.now() - reading.at > STATE_TTL_MS) {
      // A database that does not answer shows as weft_database_up 0, not as a failed scrape.
      reading = { at: Date.now(), state: readState(db).catch(() => undefined) };
    }
    return reading.state;
  };
  const gauge = (name: string, help: string, labels: string[], fill: (g: Gauge, s: StateReading) => void) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        const s = await state();
        if (s) fill(this, s);
      },
    });
  new Gauge({
    name: 'weft_database_up',
    help: '1 when the database answered the last state reading',
    registers: [registry],
    async collect() {
      this.set((await state()) ? 1 : 0);
    },
  });
  gauge('weft_executions', 'executions by workflow and status (waiting, running, completed, failed, …)', ['workflow', 'status'], (g, s) => {
    for (const e of s.executions) g.set({ workflow: e.workflow, status: e.status }, e.n);
  });
  gauge('weft_approval_requests_pending', 'approval requests waiting for a decision', [], (g, s) => g.set(s.approvalsPending));
  gauge('weft_approval_decision_seconds', 'time from an approval request to each decision on it over the last day, by quantile', ['quantile'], (g, s) => {
    if (s.decisionSeconds.p50 !== null) g.set({ quantile: '0.5' }, s.decisionSeconds.p50);
    if (s.decisionSeconds.p95 !== null) g.set({ quantile: '0.95' }, s.decisionSeconds.p95);
  });
  gauge('weft_circuit_breaker_open', 'circuit breakers by service: 1 in the state named, 0 in the others', ['service', 'state'], (g, s) => {
    for (const b of s.breakers) for (const st of ['CLOSED', 'OPEN', 'HALF_OPEN']) g.set({ service: b.service, state: st }, b.state === st ? 1 : 0);
  });
  gauge('weft_rollouts', 'rollouts by status', ['status'], (g, s) => {
    for (const r of s.rollouts) g.set({ status: r.status }, r.n);
  });

  /** Counts each answered request under its route template (`/api/v1/workflows/:id`), never its raw path. */
  function countRequests(req: Request, res: Response, next: NextFunction): void {
    const end = durations.startTimer();
    res.once('finish', () => {
      const template = req.route?.path;
      const mount = typeof res.locals.mount === 'string' ? res.locals.mount : req.baseUrl;
      const route = typeof template === 'string' ? `${mount}${template}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      end(labels);
    });
    next();
  }

  /**
   * Mounted first in a sub-router: remembers where it is mounted, since a request that ends in an
   * error is answered after Express has left the router and reset `req.baseUrl`.
   */
  function rememberMount(req: Request, res: Response, next: NextFunction): void {
    res.locals.mount = req.baseUrl;
    next();
  }

  async function serve(_req: Request, res: Response): Promise<void> {
    res.type(registry.contentType).send(await registry.metrics());
  }

  return { countRequests, rememberMount, serve, registry };
}
