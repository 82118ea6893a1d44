/**
 * The walk along a graph (src/workflows/graph-walk.ts) and the bounds of an execution end to
 * end: a cycle stops at settings.maxSteps, a loop of edges ends, no matching edge fails with
 * NO_MATCHING_BRANCH, a hostile expression fails its node instead of hanging the workflow, and
 * settings.timeoutMs (src/workflows/execution-timeout.ts) cancels what runs past it.
 */
import { runGraph, startWeftWithService, type TestWeft } from '../support/harness';

let t: TestWeft;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, stop } = await startWeftWithService());
});

afterAll(async () => {
  await stop?.();
});

const run = (graph: unknown, input: unknown = {}) => runGraph(t, graph, input);

test('a cycle stops with STEP_LIMIT_EXCEEDED after settings.maxSteps node runs', async () => {
  const out = await run(
    {
      name: 'spin',
      settings: { maxSteps: 25 },
      variables: { n: { type: 'number', value: 0 } },
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'inc', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } },
        { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: 'vars.n < 1000000' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'inc' },
        { source: 'inc', target: 'check' },
        { source: 'check', sourcePort: 'true', target: 'inc' },
        { source: 'check', sourcePort: 'false', target: 'end' },
      ],
    },
    {},
  );
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('STEP_LIMIT_EXCEEDED');
});

test('a loop that ends in time completes, and no edge matching fails with NO_MATCHING_BRANCH', async () => {
  const loop = await run(
    {
      name: 'count',
      variables: { n: { type: 'number', value: 0 } },
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'inc', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'vars.n + 1' } } },
        { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: 'vars.n < input.times' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'inc' },
        { source: 'inc', target: 'check' },
        { source: 'check', sourcePort: 'true', target: 'inc' },
        { source: 'check', sourcePort: 'false', target: 'end' },
      ],
    },
    { times: 7 },
  );
  expect(loop.output).toEqual({ n: 7 });

  const stuck = await run(
    {
      name: 'stuck',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'end', type: 'END' },
      ],
      edges: [{ source: 'start', target: 'end', condition: 'input.go = true' }],
    },
    { go: false },
  );
  expect(stuck.status).toBe('failed');
  expect(stuck.error).toMatchObject({ code: 'NO_MATCHING_BRANCH', nodeId: 'start' });
});

test('a hostile expression fails the node with EXPRESSION_ERROR instead of hanging the workflow', async () => {
  const out = await run(
    {
      name: 'hostile',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'boom', type: 'DATA_TRANSFORMATION', properties: { assign: { x: '($f := function($n){ $f($n + 1) }; $f(0))' } } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'boom' },
        { source: 'boom', target: 'end' },
      ],
    },
    {},
  );
  expect(out.status).toBe('failed');
  expect(out.error).toMatchObject({ code: 'EXPRESSION_ERROR', nodeId: 'boom' });
});

test('settings.timeoutMs bounds the whole execution: running nodes are cancelled and it fails with WORKFLOW_TIMEOUT', async () => {
  const graph = (timeoutMs: number, wait: string) => ({
    name: 'bounded',
    settings: { timeoutMs },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'hold', type: 'WAIT', properties: { duration: wait } },
      { id: 'end', type: 'END', properties: { output: { done: 'true' } } },
    ],
    edges: [
      { source: 'start', target: 'hold' },
      { source: 'hold', target: 'end' },
    ],
  });
  const late = await runGraph(t, graph(500, '1h'));
  expect(late.status).toBe('failed');
  expect(late.error).toMatchObject({ code: 'WORKFLOW_TIMEOUT', nodeId: 'hold' });
  const trace = (await t.api('GET', `/api/v1/workflow-instances/${late.id}/history`)).body.nodes;
  expect(trace.find((n: any) => n.nodeId === 'hold').status).toBe('cancelled');

  const inTime = await runGraph(t, graph(60_000, '100ms'));
  expect(inTime.output).toEqual({ done: true });
});
