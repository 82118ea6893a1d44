/**
 * The production shape under faults (`npm run test:cluster`; it needs the Temporal server built
 * from the Go module proxy, so it is not part of `npm test`): a real Temporal server on
 * PostgreSQL, two Weft workers and two API processes with the cluster's worker tuning. 200
 * executions each charge at a peer, WAIT, stop at an APPROVAL and ship at the peer; an approver
 * decides each through the API process that did not start it. Meanwhile a worker is killed with
 * SIGKILL and restarted, the Temporal server is killed while starts and decisions keep coming and
 * then restarted, and every session of Weft's database is ended for a few seconds. Every
 * execution must complete with the right output, each approval be decided exactly once, each side
 * effect reach the peer under one idempotency key, and the API answer 503 with Retry-After, never
 * 500, while a dependency is away — then serve again by itself.
 */
import postgres from 'postgres';
import { signToken } from '../../src/auth/tokens';
import { ADMIN_DATABASE_URL } from '../integration/db/fresh-database';
import { clusterGraph, startTestCluster, type TestCluster } from '../support/cluster';
import { startFakeService, type FakeService } from '../support/fake-service';
import { callApi, type ApiResponse } from '../support/harness';
import { testBundlePath } from '../support/paths';

jest.setTimeout(900_000);

/** The load. */
const EXECUTIONS = 200;
/** Starts in flight at once, as several clients would send them. */
const CLIENTS = 8;
const progress = (msg: string) => process.stderr.write(`faults ${new Date().toISOString()} ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: TestCluster;
let peer: FakeService;
let adminToken: string;
let approverToken: string;
const apiUrls: string[] = [];

/** Every answer of the API, with the phase it came in. */
const answers: Array<{ phase: string; status: number; retryAfter: string | null }> = [];
const unexplained: string[] = [];
let phase = 'setup';

/**
 * Calls API process `i % 2`, as a client would: after a 503 it waits and sends the same request
 * again. Keeps every status; `retried` says whether an earlier try of this request was answered 503.
 */
async function call(
  i: number,
  method: string,
  path: string,
  body?: unknown,
  opts: { headers?: Record<string, string>; token?: string } = {},
): Promise<ApiResponse & { retried: boolean }> {
  let retried = false;
  for (;;) {
    const res = await callApi(apiUrls[i % apiUrls.length]!, opts.token ?? adminToken, method, path, body, opts.headers);
    answers.push({ phase, status: res.status, retryAfter: res.headers.get('retry-after') });
    if (res.status === 503) {
      if (!res.headers.get('retry-after')) unexplained.push(`${phase}: 503 without Retry-After ${JSON.stringify(res.body)}`);
      retried = true;
      await sleep(500);
      continue;
    }
    if (res.status >= 500) unexplained.push(`${phase}: ${method} ${path} ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res, retried };
  }
}

beforeAll(async () => {
  peer = await startFakeService();
  const applied = new Set<string>();
  peer.handle((req, res) => {
    const key = String(req.headers['idempotency-key']);
    const fresh = !applied.has(key);
    applied.add(key);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, applied: fresh }));
  });
  cluster = await startTestCluster({
    workflowBundle: testBundlePath(),
    env: {
      WEFT_HTTP_ALLOWED_HOSTS: peer.host,
      // One client starts all 200 within a minute, past the default per-user budget; limits are not what this tests.
      WEFT_RATE_LIMITS: 'off',
    },
  });
  adminToken = cluster.adminToken;
  approverToken = signToken(cluster.jwtSecret, { sub: 'approver', roles: ['approver'] });
  for (let i = 0; i < 2; i++) await cluster.weft.startWorker();
  for (let i = 0; i < 2; i++) apiUrls.push((await cluster.weft.startApi()).url);
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
  await peer?.close();
});

test('200 executions with WAIT and APPROVAL through a worker crash, a Temporal crash and database cuts: each completes right, each approval decided once, each side effect applied once, never a 500', async () => {
  const began = Date.now();
  const retry = { maxAttempts: 50, strategy: 'FIXED', initialIntervalMs: 500 };
  expect((await call(0, 'POST', '/api/v1/users', { id: 'approver', name: 'Approver', roles: ['approver'] })).status).toBe(201);
  const created = await call(0, 'POST', '/api/v1/workflows', clusterGraph(peer.url, { retry, wait: '2s' }));
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call(1, 'POST', `/api/v1/workflows/${id}/publish`, {})).status).toBe(200);

  const ids: string[] = [];
  const byExecution = new Map<string, number>();
  const startBatch = async (from: number, to: number) => {
    let next = from;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < to) {
          const n = next++;
          // Execution n is started through API process n % 2. An Idempotency-Key, so a start sent again after a 503 is the same execution.
          const res = await call(n, 'POST', `/api/v1/workflows/${id}/instances`, { input: { n } }, { headers: { 'idempotency-key': `fault-${n}` } });
          expect(res.status).toBe(202);
          ids[n] = res.body.id as string;
          byExecution.set(res.body.id as string, n);
        }
      }),
    );
  };

  // The approver works through their inbox the whole time, deciding execution n's approval
  // through the API process that did not start it: process (n + 1) % 2.
  const decided = new Map<number, 'answered' | 'after-503'>();
  const approvalRefusals: string[] = [];
  let approving = true;
  const approver = (async () => {
    for (let turn = 0; approving; turn++) {
      const inbox = await call(turn, 'GET', '/api/v1/me/approvals', undefined, { token: approverToken });
      const open = ((inbox.body?.items ?? []) as Array<{ id: string; executionId: string | null }>)
        .map((request) => ({ request, n: byExecution.get(request.executionId ?? '') }))
        .filter((r): r is { request: { id: string; executionId: string | null }; n: number } => r.n !== undefined && !decided.has(r.n));
      // A few decisions in flight at once, as several approvers' browsers would send them.
      for (let i = 0; i < open.length; i += 4) {
        await Promise.all(
          open.slice(i, i + 4).map(async ({ request, n }) => {
            const res = await call(
              n + 1,
              'POST',
              `/api/v1/approval-requests/${encodeURIComponent(request.id)}/approve`,
              { comments: `n=${n}` },
              { token: approverToken },
            );
            if (res.status === 200) decided.set(n, 'answered');
            // A try answered 503 may still have reached the workflow: then this one is refused as
            // already decided, or (the one decision being enough) as no longer pending. The rows
            // checked below show it counted once.
            else if (res.retried && res.status === 409 && ['ALREADY_DECIDED', 'APPROVAL_NOT_PENDING'].includes(res.body?.code)) decided.set(n, 'after-503');
            else approvalRefusals.push(`n=${n}${res.retried ? ' (after a 503)' : ''}: ${res.status} ${JSON.stringify(res.body)}`);
          }),
        );
      }
      await sleep(250);
    }
  })();
  // Awaited at the end; until then a failure must not count as unhandled.
  approver.catch(() => undefined);

  phase = 'worker-killed';
  await startBatch(0, 70);
  progress('phase: first 70 started; killing worker 1');
  const [first] = cluster.weft.all;
  first!.kill('SIGKILL');
  await startBatch(70, 135);
  await cluster.weft.startWorker();
  progress('phase: worker restarted');

  // The Temporal server dies while starts and decisions keep coming; it is back after a while.
  phase = 'temporal-down';
  await cluster.temporal.crash();
  const starts = startBatch(135, EXECUTIONS);
  await sleep(8_000);
  await cluster.temporal.start();
  phase = 'temporal-back';
  await starts;
  progress('phase: temporal restarted, all started');

  // Every session of Weft's database is ended, again and again, for 4 s, while clients call.
  phase = 'database-cut';
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  const dbName = new URL(cluster.databaseUrl).pathname.slice(1);
  const until = Date.now() + 4_000;
  let cut = 0;
  const cutting = (async () => {
    while (Date.now() < until) {
      const [row] = await admin`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
      cut += row?.n ?? 0;
      await sleep(100);
    }
  })();
  for (let i = 0; Date.now() < until; i++) await call(i, 'GET', `/api/v1/workflow-instances/${ids[i % EXECUTIONS]}`);
  await cutting;
  phase = 'recovered';
  progress(`phase: cuts done (${cut} sessions)`);
  await admin.end();
  expect(cut).toBeGreaterThan(0);

  // Every execution completes with its own output, read through either API process.
  const deadline = Date.now() + 420_000;
  for (let n = 0; n < EXECUTIONS; n++) {
    let inst: ApiResponse;
    for (;;) {
      inst = await call(n, 'GET', `/api/v1/workflow-instances/${ids[n]}`);
      if (['completed', 'failed', 'cancelled'].includes(inst.body?.status) || Date.now() > deadline) break;
      await sleep(250);
    }
    expect(inst.body).toMatchObject({
      status: 'completed',
      // One decision: JSONata gives a one-element sequence as its element.
      output: { n, charged: `/charge/${n}`, approval: 'approved', approvedBy: 'approver', shipped: `/ship/${n}` },
    });
  }
  approving = false;
  await approver;
  const took = (Date.now() - began) / 1000;

  // Each approval was decided exactly once, by the approver, with the decision this client sent.
  expect(approvalRefusals).toEqual([]);
  expect(decided.size).toBe(EXECUTIONS);
  const db = postgres(cluster.databaseUrl, { max: 1, onnotice: () => undefined });
  const rows = await db<Array<{ execution_id: string; decisions: number; approver: string; comments: string }>>`
    select r.execution_id, count(d.id)::int as decisions, min(d.approver_id) as approver, min(d.comments) as comments
    from approval_requests r left join approval_decisions d on d.request_id = r.id group by r.id, r.execution_id`;
  await db.end();
  expect(rows).toHaveLength(EXECUTIONS);
  for (const row of rows) {
    const n = byExecution.get(row.execution_id);
    expect({ decisions: row.decisions, approver: row.approver, comments: row.comments }).toEqual({ decisions: 1, approver: 'approver', comments: `n=${n}` });
  }

  // Each side effect reached the peer under one key per execution and node; a crash may deliver
  // a request twice, and the key is what lets the peer apply it once.
  const keys = new Map<string, string[]>();
  for (const r of peer.requests) keys.set(String(r.headers['idempotency-key']), [...(keys.get(String(r.headers['idempotency-key'])) ?? []), r.url]);
  expect(keys.size).toBe(2 * EXECUTIONS);
  for (const urls of keys.values()) expect(new Set(urls).size).toBe(1);

  // A dependency away was answered 503 with Retry-After, never a 500, and the API served again by itself.
  expect(unexplained).toEqual([]);
  expect(answers.filter((a) => a.status === 500)).toEqual([]);
  const unavailable = answers.filter((a) => a.status === 503);
  expect(unavailable.length).toBeGreaterThan(0);
  expect(answers.filter((a) => a.phase === 'recovered').every((a) => a.status < 500)).toBe(true);
  const byPhase = [...new Set(answers.map((a) => a.phase))].map(
    (p) => `${p} ${answers.filter((a) => a.phase === p && a.status === 503).length}/${answers.filter((a) => a.phase === p).length}`,
  );
  console.log(
    `faults: ${EXECUTIONS} executions completed in ${took.toFixed(0)} s; ${peer.requests.length} requests for ${keys.size} side effects; ` +
      `${decided.size} approvals decided once each through the other API process (${[...decided.values()].filter((d) => d === 'after-503').length} after a 503); ` +
      `${cut} database sessions cut; 503 answers by phase: ${byPhase.join(', ')}`,
  );
});
