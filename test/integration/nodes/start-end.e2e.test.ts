/**
 * START and END end to end on the real Temporal dev server: START's output is the execution's
 * input, an END with `output` returns its expressions' values, and an END without one returns the
 * variables. (END outputs along both branches of the GRAPH.md example: branching.e2e.)
 */
import { runGraph, startTestWeft, type TestWeft } from '../../support/harness';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft();
});

afterAll(async () => {
  await t?.stop();
});

/** START → `double` (assigns `doubled` from START's output) → END with `endProps`. */
function startToEnd(name: string, endProps?: Record<string, unknown>) {
  return {
    name,
    variables: { label: { type: 'string', value: 'as declared' } },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'double', type: 'DATA_TRANSFORMATION', properties: { assign: { doubled: 'nodes.start.output.n * 2' } } },
      { id: 'end', type: 'END', ...(endProps ? { properties: endProps } : {}) },
    ],
    edges: [
      { source: 'start', target: 'double' },
      { source: 'double', target: 'end' },
    ],
  };
}

test("START's output is the input; an END without output returns the variables, defaults and assignments", async () => {
  const out = await runGraph(t, startToEnd('end-returns-vars'), { n: 21 });
  expect(out.status).toBe('completed');
  expect(out.output).toEqual({ label: 'as declared', doubled: 42 });
  const history = await t.api('GET', `/api/v1/workflow-instances/${out.id}/history`);
  expect(history.body.nodes[0]).toMatchObject({ nodeId: 'start', status: 'completed', output: { n: 21 } });
});

test("an END's output holds the value of each of its expressions, not the variables", async () => {
  const out = await runGraph(t, startToEnd('end-returns-expressions', { output: { total: 'vars.doubled + input.n', shout: '$uppercase(vars.label)' } }), {
    n: 21,
  });
  expect(out.status).toBe('completed');
  expect(out.output).toEqual({ total: 63, shout: 'AS DECLARED' });
});
