import { compareRun, jsonDiff, summarize, type RecordedOutcome } from '../../../src/domain/what-if-compare';
import type { SimulatedRun } from '../../../src/shared/what-if';

const node = (nodeId: string, output: unknown = null) => ({ nodeId, iteration: 0, output });
const then = (over: Partial<RecordedOutcome> = {}): RecordedOutcome => ({
  status: 'completed',
  output: { total: 3, items: [1, 2] },
  error: null,
  nodes: [node('start'), node('calc', { total: 3 }), node('end', { total: 3, items: [1, 2] })],
  ...over,
});
const now = (over: Partial<SimulatedRun> = {}): SimulatedRun => ({
  status: 'completed',
  output: { total: 3, items: [1, 2] },
  error: null,
  path: ['start', 'calc', 'end'],
  nodes: [
    { nodeId: 'start', iteration: 0, status: 'completed', output: null },
    { nodeId: 'calc', iteration: 0, status: 'completed', output: { total: 3 } },
    { nodeId: 'end', iteration: 0, status: 'completed', output: { total: 3, items: [1, 2] } },
  ],
  unanswered: [],
  stubbed: [],
  ...over,
});

test('the same path and output are the same', () => {
  expect(compareRun(then(), now())).toEqual({ category: 'same', culprits: [] });
});

test('another output on the same path: output_changed with a JSON diff and the first node whose output changed', () => {
  const changed = now({ output: { total: 4, items: [1, 2, 5] } });
  changed.nodes[1]!.output = { total: 4 };
  expect(compareRun(then(), changed)).toEqual({
    category: 'output_changed',
    culprits: ['calc'],
    diff: [
      { path: '/output/total', then: 3, now: 4 },
      { path: '/output/items/2', now: 5 },
    ],
  });
});

test('a failure then and a completion now: now_succeeds, put down to the node that failed', () => {
  const failed = then({ status: 'failed', output: null, error: { code: 'HTTP_503', message: 'down', nodeId: 'calc' } });
  expect(compareRun(failed, now())).toMatchObject({ category: 'now_succeeds', culprits: ['calc'] });
});

test('an unanswered node outranks every other difference', () => {
  const run = now({ status: 'failed', error: { code: 'WHAT_IF_UNANSWERED', message: 'x', nodeId: 'calc' }, path: ['start', 'calc'], unanswered: ['calc'] });
  expect(compareRun(then(), run)).toMatchObject({
    category: 'unanswered',
    culprits: ['calc'],
    divergence: { index: 2, after: 'calc', then: 'end', now: null },
  });
});

test('jsonDiff names members by pointer, escaping / and ~', () => {
  expect(jsonDiff({ 'a/b': 1, 'c~': [1] }, { 'a/b': 2, 'c~': [] })).toEqual([
    { path: '/a~1b', then: 1, now: 2 },
    { path: '/c~0/0', then: 1 },
  ]);
});

test('summarize counts, shares and ranks the nodes behind the differences', () => {
  const s = summarize(5, [
    { category: 'same', culprits: [] },
    { category: 'path_changed', culprits: ['check'] },
    { category: 'path_changed', culprits: ['check'] },
    { category: 'now_fails', culprits: ['calc'] },
    { category: null, culprits: null },
  ]);
  expect(s).toMatchObject({
    total: 5,
    processed: 4,
    changedPercentage: 75,
    topNodes: [
      { nodeId: 'check', executions: 2 },
      { nodeId: 'calc', executions: 1 },
    ],
  });
  expect(s.shares.path_changed).toBe(0.5);
});
