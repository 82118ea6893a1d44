/**
 * Logs and traces as an operator reads them: the real `npm start` process (API and worker) with
 * LOG_LEVEL=debug and OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP receiver runs an
 * execution whose API_CALL node calls a loopback peer. Its output has the access line with the
 * caller's X-Request-Id, activity lines naming workflow, run and node, and the SDK's own lines
 * below WARN; the receiver gets one trace from the HTTP request into the activity.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { callApi, testTemporalAddress, type WeftApi } from '../support/harness';
import { createFreshDatabaseUrl, type FreshDatabase } from './db/fresh-database';
import { startFakeService, type FakeService } from '../support/fake-service';
import { lineGraph } from '../support/line-graph';
import { spawnWeftProcess } from '../../src/weft-process';
import { testBundlePath } from '../support/paths';
import { publishGraph, waitForInstance } from '../support/harness';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';

jest.setTimeout(120_000);

/** One span as OTLP/JSON sends it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

/** A local OTLP/HTTP receiver: keeps the spans of every JSON export to /v1/traces. */
async function startOtlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
        };
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON lines of a process's output (the banner and other text skipped). */
function logLines(output: string): Array<Record<string, any>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let fresh: FreshDatabase;
let peer: FakeService;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let child: ChildProcess | undefined;
let printed = '';
/** All the process printed so far. */
const output = (): string => printed;
const captured = new Writable({
  write(chunk: Buffer, _encoding, done) {
    printed += chunk.toString();
    done();
  },
});
let api: WeftApi;
const dataDir = mkdtempSync(join(tmpdir(), 'weft-observability-'));

beforeAll(async () => {
  [fresh, peer, receiver] = await Promise.all([createFreshDatabaseUrl(), startFakeService(), startOtlpReceiver()]);
  const started = await spawnWeftProcess(
    'main.ts',
    /API:\s+(http:\/\/\S+)\/api\/v1[\s\S]*Admin token:\s+(\S+)/,
    {
      TEMPORAL_ADDRESS: testTemporalAddress(),
      DATABASE_URL: fresh.url,
      PORT: '0',
      WEFT_DATA_DIR: dataDir,
      WEFT_TASK_QUEUE: `observability-${randomUUID().slice(0, 8)}`,
      WEFT_WORKFLOW_BUNDLE: testBundlePath(),
      WEFT_HTTP_ALLOWED_HOSTS: peer.host,
      WEFT_RATE_LIMITS: 'off',
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'weft-observability-test',
      // Export within a fraction of a second rather than the default five.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    { log: captured },
  );
  child = started.child;
  const [, url, token] = started.match as unknown as [string, string, string];
  api = { api: (method, path, body, o = {}) => callApi(url, o.token === undefined ? token : o.token, method, path, body, o.headers) };
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all([peer?.close(), receiver?.close()]);
  await fresh?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('an execution started with an X-Request-Id: its access line, its activity lines and the SDK lines below WARN are in the log, and one trace runs from the HTTP request into the activity', async () => {
  const definitionId = await publishGraph(
    api,
    lineGraph('observed', [{ id: 'fetch_quote', type: 'API_CALL', properties: { url: `${peer.url}/quote`, retry: { maxAttempts: 1 } } }]),
  );
  const requestId = `obs-${randomUUID()}`;
  const started = await api.api('POST', `/api/v1/workflows/${definitionId}/instances`, { input: {} }, { headers: { 'X-Request-Id': requestId } });
  expect(started.status).toBe(202);
  expect(started.headers.get('x-request-id')).toBe(requestId);
  const instance = await waitForInstance(api, started.body.id as string);
  expect(instance.status).toBe('completed');

  // Logs. The access line of the start, with the caller's request id.
  const lines = () => logLines(output());
  const access = await until(() => lines().find((l) => l.requestId === requestId && l.res?.statusCode === 202), 'the access line of the start');
  expect(access).toMatchObject({ level: 30, req: { method: 'POST', url: `/api/v1/workflows/${definitionId}/instances` } });
  expect(typeof access.responseTime).toBe('number');
  expect(JSON.stringify(access)).not.toMatch(/authorization|bearer/i);

  // The node's activity, named by workflow, run and node (the SDK's DEBUG "Activity completed").
  const activityLine = await until(
    () => lines().find((l) => l.msg === 'Activity completed' && l.activityType === 'apiCall'),
    'the activity line of the API_CALL node',
  );
  expect(activityLine).toMatchObject({ level: 20, nodeId: 'fetch_quote' });
  expect(activityLine.workflowId).toEqual(expect.any(String));
  expect(activityLine.runId).toEqual(expect.any(String));
  // The workflow's lines (the SDK's DEBUG "Workflow completed", from the sandbox) carry the same workflow and run.
  const workflowLine = await until(() => lines().find((l) => l.msg === 'Workflow completed' && l.runId === activityLine.runId), 'the workflow line');
  expect(workflowLine).toMatchObject({ level: 20, workflowId: activityLine.workflowId, workflowType: 'interpretGraph' });
  // The SDK's worker lines pass at INFO (they were cut at WARN before).
  expect(lines().some((l) => l.sdkComponent === 'worker' && l.level === 30 && l.msg === 'Worker state changed')).toBe(true);

  // Traces: HTTP server span → StartWorkflow → RunWorkflow → StartActivity → RunActivity, one trace.
  const spans = receiver.spans;
  const runActivity = await until(() => spans.find((s) => s.name === 'RunActivity:apiCall'), 'the RunActivity span');
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const parentOf = (s: OtlpSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
  const startActivity = parentOf(runActivity);
  expect(startActivity?.name).toBe('StartActivity:apiCall');
  const runWorkflow = parentOf(startActivity!);
  expect(runWorkflow?.name).toBe('RunWorkflow:interpretGraph');
  const startWorkflow = parentOf(runWorkflow!);
  expect(startWorkflow?.name).toBe('StartWorkflow:interpretGraph');
  // Above the client's span: Express's route handler span, then the HTTP server span of the request.
  const ancestors: OtlpSpan[] = [];
  for (let s = parentOf(startWorkflow!); s; s = parentOf(s)) ancestors.push(s);
  const server = ancestors.find((s) => s.kind === 2);
  expect(server?.name).toMatch(/^POST/);
  expect(parentOf(server!)).toBeUndefined();
  const chain = [server!, ...ancestors.filter((s) => s !== server).reverse(), startWorkflow!, runWorkflow!, startActivity!, runActivity];
  expect(new Set(chain.map((s) => s.traceId))).toEqual(new Set([server!.traceId]));
  // The activity's call to the peer continues the trace (W3C traceparent).
  expect(peer.requests.find((r) => r.url === '/quote')?.headers.traceparent).toContain(server!.traceId);
  // The traced execution's history (its start carries the trace context) replays on the worker's bundle and sinks.
  const connection = await Connection.connect({ address: testTemporalAddress() });
  try {
    const history = await new Client({ connection }).workflow.getHandle(activityLine.workflowId as string, activityLine.runId as string).fetchHistory();
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.['_tracer-data']).toBeDefined();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: testBundlePath() }, sinks: { exporter: makeWorkflowExporter(new NoopSpanProcessor(), Resource.empty()) } },
      history,
    );
  } finally {
    await connection.close();
  }
  // Health probes and scrapes are not traced.
  await api.api('GET', '/ready');
  expect(spans.some((s) => s.kind === 2 && /ready/.test(JSON.stringify(s.attributes ?? [])))).toBe(false);
});
