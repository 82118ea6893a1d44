/**
 * An execution writes its row through local activities when it starts and ends
 * (weft-local-bookkeeping). Operator updates that reach it during those writes must still be
 * answered cleanly — applied once or refused with a code — never lost, doubled or a 500.
 */
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;
beforeAll(async () => {
  t = await startTestWeft();
});
afterAll(async () => {
  await t?.stop();
});

const twoStates = {
  name: 'submit-then-approve',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'draft', type: 'DATA_TRANSFORMATION', properties: { assign: { submits: 'vars.submits + 1' } } },
    { id: 'review', type: 'DATA_TRANSFORMATION', properties: { assign: { reviews: 'vars.reviews + 1' } } },
    { id: 'done', type: 'END', properties: { output: { submits: 'vars.submits', reviews: 'vars.reviews' } } },
  ],
  edges: [
    { source: 'start', target: 'draft' },
    { source: 'draft', target: 'review', trigger: 'submit' },
    { source: 'review', target: 'done', trigger: 'approve' },
  ],
  variables: { submits: { type: 'number', value: 0 }, reviews: { type: 'number', value: 0 } },
};

/** Sends `trigger` until the instance takes it; every answer on the way must be 200 or a clean refusal. */
async function advanceUntilTaken(id: string, trigger: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const res = await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger });
    if (res.status === 200) return;
    expect([409, 422]).toContain(res.status);
    expect(typeof res.body.code).toBe('string');
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${id} never took ${trigger}`);
}

test('advances sent the moment 20 executions start, and again as they end, are each applied once', async () => {
  const definitionId = await publishGraph(t, twoStates);
  const ids = await Promise.all(Array.from({ length: 20 }, () => startInstance(t, definitionId, {})));
  // No waiting for `waiting`: the first advance races the execution's first workflow task and its row write.
  await Promise.all(ids.map((id) => advanceUntilTaken(id, 'submit')));
  await Promise.all(ids.map((id) => advanceUntilTaken(id, 'approve')));
  // A late advance races the final row write and the end: refused cleanly, never a 500.
  const late = await Promise.all(ids.map((id) => t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' })));
  for (const res of late) expect([409, 422]).toContain(res.status);
  const done = await Promise.all(ids.map((id) => waitForInstance(t, id, 60_000)));
  for (const instance of done) {
    expect(instance.status).toBe('completed');
    expect(instance.output).toEqual({ submits: 1, reviews: 1 });
  }
});
