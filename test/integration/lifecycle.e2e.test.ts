/**
 * The life of an execution on the real Temporal dev server: live queries while it waits,
 * cancellation, idempotent starts, version snapshots, and what operators see in Temporal.
 */
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;

beforeAll(async () => {
  // Always PGlite here, whatever DATABASE_URL says, so both databases run end to end in CI.
  t = await startTestWeft({ database: 'pglite' });
});

afterAll(async () => {
  await t?.stop();
});

function waitingGraph(name: string, duration: string, label: string) {
  return {
    name,
    variables: { label: { type: 'string', value: label } },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'prep', type: 'DATA_TRANSFORMATION', properties: { assign: { doubled: 'input.n * 2' } } },
      { id: 'hold', type: 'WAIT', name: 'Hold for review', properties: { duration } },
      { id: 'end', type: 'END', properties: { output: { label: 'vars.label', doubled: 'vars.doubled' } } },
    ],
    edges: [
      { source: 'start', target: 'prep' },
      { source: 'prep', target: 'hold' },
      { source: 'hold', target: 'end' },
    ],
  };
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('while a WAIT runs the instance is waiting at that node; the live trace and variables show it', async () => {
  const id = await publishGraph(t, waitingGraph('live', '2s', 'v1'));
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 21 } });
  const waiting = await until(async () => {
    const r = await t.api('GET', `/api/v1/workflow-instances/${started.body.id}`);
    return r.body.status === 'waiting' ? r.body : undefined;
  });
  expect(waiting).toMatchObject({ workflowId: id, version: '1.0.0', currentNodeId: 'hold', output: null });
  const live = await t.api('GET', `/api/v1/workflow-instances/${started.body.id}/history`);
  expect(live.body.nodes.map((n: any) => [n.nodeId, n.status])).toEqual([
    ['start', 'completed'],
    ['prep', 'completed'],
    ['hold', 'running'],
  ]);
  const done = await waitForInstance(t, started.body.id);
  expect(done.output).toEqual({ label: 'v1', doubled: 42 });
  expect(done.durationMs).toBeGreaterThanOrEqual(2000);
});

test('DELETE cancels a running instance; it ends cancelled and cannot be cancelled twice', async () => {
  const id = await publishGraph(t, waitingGraph('cancel-me', '1h', 'x'));
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 1 } });
  await until(async () => ((await t.api('GET', `/api/v1/workflow-instances/${started.body.id}`)).body.status === 'waiting' ? true : undefined));
  const cancel = await t.api('DELETE', `/api/v1/workflow-instances/${started.body.id}`);
  expect(cancel.status).toBe(202);
  const done = await waitForInstance(t, started.body.id);
  expect(done.status).toBe('cancelled');
  const again = await t.api('DELETE', `/api/v1/workflow-instances/${started.body.id}`);
  expect(again.status).toBe(409);
  expect(again.body.code).toBe('INSTANCE_NOT_RUNNING');
  const desc = await t.temporal.workflow.getHandle(started.body.id).describe();
  expect(desc.status.name).toBe('CANCELLED');
});

test('an Idempotency-Key returns the same instance on a repeat, concurrent or later', async () => {
  const id = await publishGraph(t, waitingGraph('idem', '100ms', 'i'));
  const send = () => t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 2 } }, { headers: { 'Idempotency-Key': 'order-42' } });
  const [a, b] = await Promise.all([send(), send()]);
  expect(a.status).toBe(202);
  expect(b.status).toBe(202);
  expect(a.body.id).toBe(b.body.id);
  await waitForInstance(t, a.body.id);
  const later = await send();
  expect(later.body.id).toBe(a.body.id);
  expect(later.headers.get('idempotent-replayed')).toBe('true');
  const other = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 2 } }, { headers: { 'Idempotency-Key': 'order-43' } });
  expect(other.body.id).not.toBe(a.body.id);
  const list = await t.api('GET', `/api/v1/workflows/${id}/instances`);
  expect(list.body.total).toBe(2);
});

test('publishing a new version while an instance runs does not change that instance', async () => {
  const id = await publishGraph(t, waitingGraph('versions', '1500ms', 'first'));
  const old = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 5 } });
  const updated = await t.api('PUT', `/api/v1/workflows/${id}`, waitingGraph('versions', '10ms', 'second'));
  expect(updated.status).toBe(200);
  expect(updated.body.latestVersion).toBe('1.1.0');
  const published = await t.api('POST', `/api/v1/workflows/${id}/publish`, { version: '1.1.0' });
  expect(published.body).toMatchObject({ version: '1.1.0', status: 'active' });
  const fresh = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 5 } });

  const oldDone = await waitForInstance(t, old.body.id);
  const freshDone = await waitForInstance(t, fresh.body.id);
  expect(oldDone).toMatchObject({ version: '1.0.0', output: { label: 'first', doubled: 10 } });
  expect(freshDone).toMatchObject({ version: '1.1.0', output: { label: 'second', doubled: 10 } });

  // The old version can still be run on purpose, and its stored snapshot never changed.
  const pinned = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 1 }, version: '1.0.0' });
  expect((await waitForInstance(t, pinned.body.id)).output.label).toBe('first');
  const v1 = await t.api('GET', `/api/v1/workflows/${id}/versions/1.0.0`);
  expect(v1.body.graph.variables.label.value).toBe('first');
  expect(v1.body.status).toBe('published');
  const versions = await t.api('GET', `/api/v1/workflows/${id}/versions`);
  expect(versions.body.items.map((v: any) => [v.version, v.status])).toEqual([
    ['1.1.0', 'active'],
    ['1.0.0', 'published'],
  ]);
});

test('operators find executions by search attributes and see node names on activities in Temporal', async () => {
  const id = await publishGraph(t, {
    name: 'visible',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'pause', type: 'WAIT', properties: { duration: '50ms' } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'pause' },
      { source: 'pause', target: 'end' },
    ],
  });
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {} });
  await waitForInstance(t, started.body.id);
  const found = await until(async () => {
    const ids: string[] = [];
    for await (const wf of t.temporal.workflow.list({ query: `WeftDefinitionId = "${id}" AND WeftStatus = "completed"` })) ids.push(wf.workflowId);
    return ids.length ? ids : undefined;
  });
  expect(found).toEqual([started.body.id]);
  const desc = await t.temporal.workflow.getHandle(started.body.id).describe();
  expect(desc.typedSearchAttributes.get({ name: 'WeftVersion', type: 'KEYWORD' } as any)).toBe('1.0.0');
});

test('an activity node carries its node id and name as the summary shown in the Web UI', async () => {
  const id = await publishGraph(t, {
    name: 'summaries',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'lookup', type: 'API_CALL', name: 'Look up order', properties: { url: 'http://10.0.0.1/never', retry: { maxAttempts: 1 }, continueOnError: true } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'lookup' },
      { source: 'lookup', target: 'end' },
    ],
  });
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {} });
  await waitForInstance(t, started.body.id);
  // The row says completed from inside the last workflow task; the history has it once that task ends.
  await t.temporal.workflow.getHandle(started.body.id).result();
  const history = await t.temporal.workflow.getHandle(started.body.id).fetchHistory();
  const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'apiCall');
  expect(scheduled).toHaveLength(1);
  expect(scheduled[0]!.activityTaskScheduledEventAttributes!.activityId).toBe('lookup:0');
  const summary = scheduled[0]!.userMetadata?.summary?.data;
  expect(summary && Buffer.from(summary).toString('utf8')).toContain('lookup — Look up order');
  // Control nodes cost no activity: the one node is the only activity task; the execution's row is
  // written by two local activities, each a marker in the history (weft-local-bookkeeping).
  const activityTypes = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  expect(activityTypes).toEqual(['apiCall']);
  const localActivities = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  expect(localActivities).toHaveLength(2);
});
