/**
 * PARALLEL end to end on the real Temporal dev server: joins with all/any/majority, fail-fast
 * and continue, branches that lose being cancelled rather than left running, and each branch
 * reading its own node outputs. (A PARALLEL nested in LOOP iterations: loop.e2e.)
 */
import { echoPath, json, type FakeService } from '../../support/fake-service';
import { parallelBranches } from '../../histories/graphs';
import { nodeHistory, runGraph, startWeftWithService, type TestWeft } from '../../support/harness';

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, svc, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

const run = (graph: unknown, input: unknown = {}) => runGraph(t, graph, input);

const trace = (id: string) => nodeHistory(t, id);

function parallelGraph(props: Record<string, unknown>, branches: Array<Record<string, unknown>>) {
  return {
    name: 'fan-out',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'fan', type: 'PARALLEL', properties: { join: 'join', ...props } },
      ...branches,
      { id: 'join', type: 'DATA_TRANSFORMATION', properties: { assign: { joined: 'true' } } },
      { id: 'end', type: 'END', properties: { output: { fan: 'nodes.fan.output', joined: 'vars.joined' } } },
    ],
    edges: [
      { source: 'start', target: 'fan' },
      ...branches.flatMap((b) => [
        { source: 'fan', target: b.id as string },
        { source: b.id as string, target: 'join' },
      ]),
      { source: 'join', target: 'end' },
    ],
  };
}

const call = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'API_CALL',
  properties: { url: `${svc.url}${path}`, retry: { maxAttempts: 1 }, ...extra },
});
const hold = (id: string, duration: string) => ({ id, type: 'WAIT', properties: { duration } });

test('PARALLEL waits for all branches, then runs the join once', async () => {
  svc.handle((req, res) => json(res, 200, { path: req.url }));
  const before = svc.requests.length;
  const out = await run(parallelGraph({}, [call('erp', '/erp'), call('crm', '/crm'), hold('cool', '200ms')]));
  expect(out.status).toBe('completed');
  expect(out.output.joined).toBe(true);
  expect(out.output.fan).toMatchObject({ succeeded: 3, failed: 0, cancelled: 0 });
  expect(out.output.fan.branches.erp.output.body).toEqual({ path: '/erp' });
  expect(svc.requests.length - before).toBe(2);
  expect((await trace(out.id)).filter((n) => n.nodeId === 'join')).toHaveLength(1);
});

test('waitStrategy any continues with the first branch and cancels the others', async () => {
  const out = await run(parallelGraph({ waitStrategy: 'any' }, [hold('fast', '100ms'), hold('slow', '1h')]));
  expect(out.status).toBe('completed');
  expect(out.output.fan.branches).toMatchObject({ fast: { status: 'completed' }, slow: { status: 'cancelled' } });
  expect((await trace(out.id)).find((n) => n.nodeId === 'slow')).toMatchObject({ status: 'cancelled' });
});

test('majority counts weights', async () => {
  svc.handle((req, res) => (req.url === '/down' ? json(res, 503, {}) : json(res, 200, {})));
  const heavy = await run(
    parallelGraph({ waitStrategy: 'majority', failureStrategy: 'wait_all', weights: { a: 3 } }, [call('a', '/up'), call('b', '/down'), call('c', '/down')]),
  );
  expect(heavy.status).toBe('completed');
  // Weight 3 of 5 is a majority: branches still running then are no longer needed and are cancelled.
  expect(heavy.output.fan.branches.a.status).toBe('completed');
  expect(heavy.output.fan.succeeded).toBe(1);
  expect(heavy.output.fan.failed + heavy.output.fan.cancelled).toBe(2);
  const light = await run(parallelGraph({ waitStrategy: 'majority', failureStrategy: 'wait_all' }, [call('a', '/up'), call('b', '/down'), call('c', '/down')]));
  expect(light.status).toBe('failed');
  expect(light.error.code).toBe('HTTP_503');
});

test('fail_fast fails at the first branch error and cancels the rest; continue records it and goes on', async () => {
  svc.handle((_req, res) => json(res, 404, { error: 'missing' }));
  const fast = await run(parallelGraph({ failureStrategy: 'fail_fast' }, [call('lookup', '/missing'), hold('slow', '1h')]));
  expect(fast.status).toBe('failed');
  expect(fast.error).toMatchObject({ code: 'HTTP_404' });
  expect((await trace(fast.id)).find((n) => n.nodeId === 'slow')).toMatchObject({ status: 'cancelled' });

  const lenient = await run(parallelGraph({ failureStrategy: 'continue' }, [call('lookup', '/missing'), hold('short', '50ms')]));
  expect(lenient.status).toBe('completed');
  expect(lenient.output.fan).toMatchObject({ succeeded: 1, failed: 1 });
  expect(lenient.output.fan.branches.lookup.error.code).toBe('HTTP_404');
});

test('each PARALLEL branch reads its own outputs; after the join a shared node shows the last branch', async () => {
  svc.handle(echoPath);
  const before = svc.requests.length;
  const out = await run(parallelBranches('own-branch-outputs', svc.url));
  expect(out.status).toBe('completed');
  // `quote` ran in both branches; the slow `eu` branch did not see `us`'s answer (nor its quote).
  expect(
    svc.requests
      .slice(before)
      .map((r) => r.url)
      .filter((p) => p.startsWith('/echo/quote'))
      .sort(),
  ).toEqual(['/echo/quote?from=/echo/slow/eu', '/echo/quote?from=/echo/us']);
  expect(out.output.fan.branches).toEqual({
    eu: { status: 'completed', output: { result: false } },
    us: { status: 'completed', output: { result: false } },
  });
  // Branch order is edge order: `us` is the later branch, whatever finished last.
  expect(out.output.quote).toBe('/echo/quote?from=/echo/us');
});
