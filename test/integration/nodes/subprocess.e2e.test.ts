/**
 * SUBPROCESS end to end: a published definition runs as a child workflow of another, with input
 * and output mappings, version pins, fire-and-forget, and each failure handling.
 */
import { json, type FakeService } from '../../support/fake-service';
import { publishGraph, runGraph, startWeftWithService, waitForInstance, type TestWeft } from '../../support/harness';

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

function child(name: string, factor: number, extraNodes: Array<Record<string, unknown>> = []) {
  const ids = ['start', ...extraNodes.map((n) => n.id as string), 'end'];
  return {
    name,
    nodes: [
      { id: 'start', type: 'START' },
      ...extraNodes,
      { id: 'end', type: 'END', properties: { output: { scaled: `input.n * ${factor}`, who: `"${name}"` } } },
    ],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i], target: id })),
  };
}

function parent(subprocess: Record<string, unknown>) {
  return {
    name: 'parent',
    variables: { scaled: { type: 'number', value: 0 } },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'sub', type: 'SUBPROCESS', properties: { inputMapping: { n: 'input.n + 1' }, outputMapping: { scaled: 'output.scaled' }, ...subprocess } },
      { id: 'end', type: 'END', properties: { output: { scaled: 'vars.scaled', sub: 'nodes.sub.output' } } },
    ],
    edges: [
      { source: 'start', target: 'sub' },
      { source: 'sub', target: 'end' },
    ],
  };
}

test('the child runs the published version with the mapped input; its output maps back into variables', async () => {
  const childId = await publishGraph(t, child('times-ten', 10));
  const out = await run(parent({ workflowId: childId }), { n: 4 });
  expect(out.status).toBe('completed');
  expect(out.output.scaled).toBe(50);
  expect(out.output.sub).toMatchObject({ version: '1.0.0', output: { scaled: 50, who: 'times-ten' } });
  // The child is an instance of its own definition, visible through the API.
  const childInstance = await t.api('GET', `/api/v1/workflow-instances/${out.output.sub.childId}`);
  expect(childInstance.body).toMatchObject({ workflowId: childId, status: 'completed', input: { n: 5 } });
});

test('a version pin runs that version even after a newer one is active', async () => {
  const childId = await publishGraph(t, child('v1', 2));
  await t.api('PUT', `/api/v1/workflows/${childId}`, child('v2', 3));
  await t.api('POST', `/api/v1/workflows/${childId}/publish`, { version: '1.1.0' });
  expect((await run(parent({ workflowId: childId }), { n: 1 })).output.scaled).toBe(6);
  expect((await run(parent({ workflowId: childId, version: '1.0.0' }), { n: 1 })).output.scaled).toBe(4);
});

test('waitForCompletion false starts the child and goes on; the child finishes on its own', async () => {
  const childId = await publishGraph(t, child('slow', 1, [{ id: 'pause', type: 'WAIT', properties: { duration: '1s' } }]));
  const out = await run(parent({ workflowId: childId, waitForCompletion: false, outputMapping: {} }), { n: 1 });
  expect(out.status).toBe('completed');
  expect(out.output.sub.started).toBe(true);
  const childStatus = await t.api('GET', `/api/v1/workflow-instances/${out.output.sub.childId}`);
  expect(childStatus.body.status).not.toBe('completed');
  expect((await waitForInstance(t, out.output.sub.childId)).output).toEqual({ scaled: 2, who: 'slow' });
});

test('a failing child fails the parent with its code, is retried with retry, and is recorded with continue', async () => {
  let calls = 0;
  svc.handle((_req, res) => {
    calls++;
    json(res, calls % 3 === 0 ? 200 : 409, {});
  });
  const childId = await publishGraph(
    t,
    child('flaky-child', 1, [{ id: 'call', type: 'API_CALL', properties: { url: `${svc.url}/x`, retry: { maxAttempts: 1 } } }]),
  );
  calls = 0;
  const failing = await run(parent({ workflowId: childId }), { n: 1 });
  expect(failing.status).toBe('failed');
  expect(failing.error).toMatchObject({ code: 'HTTP_409', nodeId: 'sub' });

  calls = 0;
  const retried = await run(parent({ workflowId: childId, failureHandling: 'retry', maxAttempts: 3 }), { n: 1 });
  expect(retried.status).toBe('completed');
  expect(retried.output.sub.childId).toMatch(/:sub:0:3$/);

  calls = 0;
  const lenient = await run(parent({ workflowId: childId, failureHandling: 'continue' }), { n: 1 });
  expect(lenient.status).toBe('completed');
  expect(lenient.output.sub.error.code).toBe('HTTP_409');

  const missing = await run(parent({ workflowId: 'no-such-workflow' }), { n: 1 });
  expect(missing.error.code).toBe('WORKFLOW_NOT_FOUND');
});
