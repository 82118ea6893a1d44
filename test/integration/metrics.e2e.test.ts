/**
 * Metrics as a Prometheus scraper sees them: the API's `/metrics` (requests by route template and
 * status, executions by workflow and status, approvals, circuit breakers, the database), and a
 * worker process's own `/metrics` from the Temporal SDK when WEFT_WORKER_METRICS_ADDRESS is set.
 */
import type { ChildProcess } from 'node:child_process';
import { startTestWeft, waitForInstance, type TestWeft } from '../support/harness';
import { freePort } from '../support/ports';
import { startWorkerProcess } from '../support/worker-process';

let t: TestWeft;
let worker: ChildProcess | undefined;
let workerMetrics: string;

beforeAll(async () => {
  // No worker in this process: the worker process below runs every execution.
  t = await startTestWeft({ database: 'postgres', worker: false });
  workerMetrics = `127.0.0.1:${await freePort()}`;
  worker = await startWorkerProcess(t, { WEFT_WORKER_METRICS_ADDRESS: workerMetrics });
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await t?.stop();
});

/** The value of the sample `name{labels}` in Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

test('the API counts requests by route template and reports executions, approvals and breakers from the database', async () => {
  const graph = {
    name: 'metered',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'end', type: 'END' },
    ],
    edges: [{ source: 'start', target: 'end' }],
  };
  const wf = (await t.api('POST', '/api/v1/workflows', graph)).body.id as string;
  expect((await t.api('POST', `/api/v1/workflows/${wf}/publish`, {})).status).toBe(200);
  for (let i = 0; i < 3; i++) {
    const started = await t.api('POST', `/api/v1/workflows/${wf}/instances`, { input: { i } });
    expect(started.status).toBe(202);
    await waitForInstance(t, started.body.id);
  }
  expect((await t.api('GET', '/api/v1/workflows/nowhere')).status).toBe(404);
  expect((await t.api('PUT', '/api/v1/circuit-breakers/erp.example.com%3A443/config', { failureThreshold: 3 })).status).toBe(200);

  // No token: scrapers do not sign in.
  const text = await scrape(`${t.url}/metrics`);
  expect(sample(text, 'weft_http_requests_total', { method: 'POST', route: '/api/v1/workflows/:id/instances', status: '202' })).toBe(3);
  expect(sample(text, 'weft_http_requests_total', { method: 'GET', route: '/api/v1/workflows/:id', status: '404' })).toBe(1);
  expect(sample(text, 'weft_http_request_duration_seconds_count', { route: '/api/v1/workflows/:id/instances', status: '202' })).toBe(3);
  expect(text).not.toContain(`/api/v1/workflows/${wf}/instances`);
  expect(sample(text, 'weft_executions', { workflow: wf, status: 'completed' })).toBe(3);
  expect(sample(text, 'weft_approval_requests_pending')).toBe(0);
  expect(sample(text, 'weft_circuit_breaker_open', { service: 'erp.example.com:443', state: 'CLOSED' })).toBe(1);
  expect(sample(text, 'weft_circuit_breaker_open', { service: 'erp.example.com:443', state: 'OPEN' })).toBe(0);
  expect(sample(text, 'weft_database_up')).toBe(1);
  expect(sample(text, 'weft_api_process_cpu_seconds_total')).toEqual(expect.any(Number));
});

test("a worker process serves the Temporal SDK's metrics of the work it did", async () => {
  const text = await scrape(`http://${workerMetrics}/metrics`);
  const completed = text
    .split('\n')
    .filter((l) => /^temporal_workflow_completed(_total)?\{/.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  expect(completed).toBeGreaterThanOrEqual(3);
  expect(text).toMatch(/^temporal_workflow_task_execution_latency/m);
});
