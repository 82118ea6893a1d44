/**
 * Events end to end on the real Temporal dev server and database: EVENT_SUBSCRIBER waits
 * (correlation key, filter, timeout), EVENT_PUBLISHER, `POST /api/v1/events`, and definitions
 * started by event triggers.
 */
import { randomUUID } from 'node:crypto';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../../support/harness';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft();
});

afterAll(async () => {
  await t?.stop();
});

const uniqueName = (base: string) => `${base}.${randomUUID().slice(0, 8)}`;

async function statusOf(id: string): Promise<any> {
  return (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body;
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const waiting = (id: string) => until(async () => (await statusOf(id)).status === 'waiting');

function publish(body: unknown, key?: string, token?: string) {
  return t.api('POST', '/api/v1/events', body, { headers: key ? { 'Idempotency-Key': key } : {}, ...(token ? { token } : {}) });
}

/** START → wait for `event` → END with the event (or the timeout port's output). */
function subscriber(event: string, props: Record<string, unknown> = {}, before: Array<Record<string, unknown>> = []) {
  const chain = ['start', ...before.map((n) => n.id as string), 'sub'];
  const withTimeoutPort = props.onTimeout === 'continue';
  return {
    name: `subscriber ${event}`,
    nodes: [
      { id: 'start', type: 'START' },
      ...before,
      { id: 'sub', type: 'EVENT_SUBSCRIBER', properties: { event, correlationKey: '${input.orderId}', ...props } },
      { id: 'end', type: 'END', properties: { output: { event: 'nodes.sub.output.event', timedOut: 'nodes.sub.output.timedOut = true' } } },
      ...(withTimeoutPort ? [{ id: 'late', type: 'END', properties: { output: { late: 'true', timedOut: 'nodes.sub.output.timedOut' } } }] : []),
    ],
    edges: [
      ...chain.slice(1).map((id, i) => ({ source: chain[i], target: id })),
      { source: 'sub', target: 'end', sourcePort: 'received' },
      ...(withTimeoutPort ? [{ source: 'sub', target: 'late', sourcePort: 'timeout' }] : []),
    ],
  };
}

test('a subscriber receives the event with its correlation key that passes its filter, not the others', async () => {
  const name = uniqueName('order.shipped');
  const id = await startInstance(t, await publishGraph(t, subscriber(name, { filter: 'event.payload.qty > 0' })), { orderId: 'A-1' });
  await waiting(id);

  const otherKey = await publish({ name, correlationKey: 'B-2', payload: { qty: 5 } });
  expect(otherKey.status).toBe(202);
  expect(otherKey.body).toMatchObject({ delivered: 0, started: [] });
  const filteredOut = await publish({ name, correlationKey: 'A-1', payload: { qty: 0 } });
  expect(filteredOut.body.delivered).toBe(0);
  expect((await statusOf(id)).status).toBe('waiting');

  const matching = await publish({ name, correlationKey: 'A-1', payload: { qty: 7 } });
  expect(matching.status).toBe(202);
  expect(matching.body).toEqual({ id: expect.stringMatching(/^evt-/), delivered: 1, started: [] });

  const done = await waitForInstance(t, id);
  expect(done.status).toBe('completed');
  expect(done.output.event).toMatchObject({ id: matching.body.id, name, correlationKey: 'A-1', payload: { qty: 7 } });

  // Every event is kept and listed, newest first.
  const listed = await t.api('GET', `/api/v1/events?name=${encodeURIComponent(name)}`);
  expect(listed.body.total).toBe(3);
  expect(listed.body.items.map((e: { id: string }) => e.id)).toEqual([matching.body.id, filteredOut.body.id, otherKey.body.id]);
  expect(listed.body.items[0]).toMatchObject({ source: 'user:admin-user', payload: { qty: 7 } });
});

test('deliveries for another node run are ignored, and a repeated publish delivers the event once', async () => {
  const name = uniqueName('pallet.loaded');
  const id = await startInstance(t, await publishGraph(t, subscriber(name)), { orderId: 'P-1' });
  await waiting(id);
  // A stray signal naming some other run's wait changes nothing.
  const stray = { id: 'evt-stray', name, correlationKey: 'P-1', payload: { stray: true }, publishedAt: new Date().toISOString() };
  await t.temporal.workflow.getHandle(id).signal('event', { waitId: `${id}:other:0`, event: stray });
  await new Promise((r) => setTimeout(r, 1000));
  expect((await statusOf(id)).status).toBe('waiting');

  const key = randomUUID();
  const first = await publish({ name, correlationKey: 'P-1', payload: { n: 1 } }, key);
  const repeat = await publish({ name, correlationKey: 'P-1', payload: { n: 1 } }, key);
  expect(first.body.delivered).toBe(1);
  expect(repeat.body).toEqual(first.body); // signalled again, taken once
  const done = await waitForInstance(t, id);
  expect(done.output.event).toMatchObject({ id: first.body.id, payload: { n: 1 } });
  const history = await t.api('GET', `/api/v1/workflow-instances/${id}/history`);
  expect(history.body.nodes.filter((n: { nodeId: string }) => n.nodeId === 'sub')).toHaveLength(1);
});

test('an EVENT_PUBLISHER node in another execution reaches the waiting subscriber', async () => {
  const name = uniqueName('batch.done');
  const subId = await startInstance(t, await publishGraph(t, subscriber(name)), { orderId: 'PO-9' });
  await waiting(subId);

  const publisher = {
    name: 'publisher',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'pub',
        type: 'EVENT_PUBLISHER',
        properties: { event: name, correlationKey: '${input.orderId}', payload: { qty: '${input.qty}', note: 'batch ${input.orderId}' } },
      },
      { id: 'end', type: 'END', properties: { output: { pub: 'nodes.pub.output' } } },
    ],
    edges: [
      { source: 'start', target: 'pub' },
      { source: 'pub', target: 'end' },
    ],
  };
  const pubRun = await waitForInstance(t, await startInstance(t, await publishGraph(t, publisher), { orderId: 'PO-9', qty: 3 }));
  expect(pubRun.status).toBe('completed');
  expect(pubRun.output.pub).toEqual({ eventId: expect.stringMatching(/^evt-/), delivered: 1, started: [] });

  const sub = await waitForInstance(t, subId);
  expect(sub.output.event).toMatchObject({ id: pubRun.output.pub.eventId, correlationKey: 'PO-9', payload: { qty: 3, note: 'batch PO-9' } });
  const listed = await t.api('GET', `/api/v1/events?name=${encodeURIComponent(name)}`);
  expect(listed.body.items[0].source).toBe(`execution:${pubRun.id}:pub`);
});

test('an event published before the subscriber node registers is still received (publishedAfter)', async () => {
  const name = uniqueName('lot.ready');
  // The event is published while the instance still sleeps, before the subscriber node runs.
  const graph = subscriber(name, { publishedAfter: 'execution.startedAt' }, [{ id: 'nap', type: 'WAIT', properties: { duration: '2s' } }]);
  const id = await startInstance(t, await publishGraph(t, graph), { orderId: 'L-7' });
  await waiting(id);
  const early = await publish({ name, correlationKey: 'L-7', payload: { early: true } });
  expect(early.body.delivered).toBe(0); // nobody waits yet
  const done = await waitForInstance(t, id);
  expect(done.output.event).toMatchObject({ id: early.body.id, payload: { early: true } });

  // Without publishedAfter, a subscriber only takes events from when its node starts.
  const later = await startInstance(t, await publishGraph(t, subscriber(name, { timeout: '1500ms', onTimeout: 'continue' })), { orderId: 'L-7' });
  expect((await waitForInstance(t, later)).output).toEqual({ late: true, timedOut: true });
});

test('a timeout leaves by the timeout port with onTimeout continue, and fails with EVENT_TIMEOUT otherwise', async () => {
  const name = uniqueName('gate.opened');
  const cont = await startInstance(t, await publishGraph(t, subscriber(name, { timeout: '1s', onTimeout: 'continue' })), { orderId: 'G-1' });
  const fail = await startInstance(t, await publishGraph(t, subscriber(name, { timeout: '1s' })), { orderId: 'G-2' });
  const continued = await waitForInstance(t, cont);
  expect(continued.status).toBe('completed');
  expect(continued.output).toEqual({ late: true, timedOut: true });
  const failed = await waitForInstance(t, fail);
  expect(failed.status).toBe('failed');
  expect(failed.error).toMatchObject({ code: 'EVENT_TIMEOUT', nodeId: 'sub' });

  // Expired waits take nothing any more.
  expect((await publish({ name, correlationKey: 'G-1' })).body.delivered).toBe(0);
  expect((await publish({ name, correlationKey: 'G-2' })).body.delivered).toBe(0);
});

test('a cancelled subscriber withdraws its wait: a later event reaches nobody', async () => {
  const name = uniqueName('door.closed');
  const id = await startInstance(t, await publishGraph(t, subscriber(name)), { orderId: 'D-1' });
  await waiting(id);
  expect((await t.api('DELETE', `/api/v1/workflow-instances/${id}`)).status).toBe(202);
  expect((await waitForInstance(t, id)).status).toBe('cancelled');
  // Withdrawn on cancellation (or, had that not happened yet, found closed when signalled): not counted.
  expect((await publish({ name, correlationKey: 'D-1', payload: { probe: true } })).body.delivered).toBe(0);
});

test('an event trigger starts the definition once per event, even when the event is posted twice with its key', async () => {
  const name = uniqueName('lot.released');
  const triggered = {
    name: 'on lot released',
    triggers: [{ event: name, filter: 'event.payload.grade = "A"' }],
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'end', type: 'END', properties: { output: { lot: 'input.event.payload.lot', eventName: 'input.event.name' } } },
    ],
    edges: [{ source: 'start', target: 'end' }],
  };
  const definitionId = await publishGraph(t, triggered);
  const key = randomUUID();
  const first = await publish({ name, payload: { lot: 'L-100', grade: 'A' } }, key);
  expect(first.status).toBe(202);
  expect(first.body.started).toHaveLength(1);
  const again = await publish({ name, payload: { lot: 'L-100', grade: 'A' } }, key);
  expect(again.status).toBe(202);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body).toEqual(first.body);

  const run = await waitForInstance(t, first.body.started[0]);
  expect(run).toMatchObject({ workflowId: definitionId, status: 'completed', output: { lot: 'L-100', eventName: name } });

  // The filter holds back other events; a second event starts a second execution.
  expect((await publish({ name, payload: { lot: 'L-101', grade: 'B' } })).body.started).toEqual([]);
  const second = await publish({ name, payload: { lot: 'L-102', grade: 'A' } });
  expect(second.body.started).toHaveLength(1);
  expect(second.body.started[0]).not.toBe(first.body.started[0]);
  await waitForInstance(t, second.body.started[0]);
  const instances = await t.api('GET', `/api/v1/workflows/${definitionId}/instances`);
  expect(instances.body.total).toBe(2);

  // The active version's triggers count: a version without them stops the starts, the old one back restores them.
  const { triggers: _dropped, ...untriggered } = triggered;
  expect((await t.api('PUT', `/api/v1/workflows/${definitionId}`, untriggered)).status).toBe(200);
  expect((await t.api('POST', `/api/v1/workflows/${definitionId}/publish`, {})).status).toBe(200);
  expect((await publish({ name, payload: { lot: 'L-103', grade: 'A' } })).body.started).toEqual([]);
  expect((await t.api('POST', `/api/v1/workflows/${definitionId}/publish`, { version: '1.0.0' })).status).toBe(200);
  expect((await publish({ name, payload: { lot: 'L-104', grade: 'A' } })).body.started).toHaveLength(1);
  // A deleted definition is no longer triggered.
  expect((await t.api('DELETE', `/api/v1/workflows/${definitionId}`)).status).toBe(204);
  expect((await publish({ name, payload: { lot: 'L-105', grade: 'A' } })).body.started).toEqual([]);
});

test('bad input: POST /events answers problem+json with paths; viewers may not publish; bad trigger filters are refused', async () => {
  const bad = await publish({ name: '', correlationKey: 5, extra: true });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(bad.body.code).toBe('INVALID_REQUEST');
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/correlationKey', '/extra', '/name']);

  const viewer = await publish({ name: 'x' }, undefined, t.token(['viewer'], 'v'));
  expect(viewer.status).toBe(403);
  expect(viewer.body.code).toBe('PERMISSION_DENIED');

  const invalid = await t.api('POST', '/api/v1/workflows', {
    name: 'bad triggers',
    triggers: [{ event: 'a', filter: 'event.(' }, { event: 'a' }],
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'sub', type: 'EVENT_SUBSCRIBER', properties: { event: 'b', onTimeout: 'continue' } },
      { id: 'end', type: 'END' },
    ],
    edges: [
      { source: 'start', target: 'sub' },
      { source: 'sub', target: 'end' },
    ],
  });
  expect(invalid.status).toBe(422);
  const paths = invalid.body.errors.map((e: { path: string }) => e.path);
  expect(paths).toEqual(expect.arrayContaining(['/triggers/0/filter', '/triggers/1/event', '/nodes/1/properties/onTimeout', '/edges/1/sourcePort']));
});

test('a simulation does not wait for events nor publish them: samples answer both nodes', async () => {
  const name = uniqueName('sim');
  const graph = {
    name: 'simulated events',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'pub', type: 'EVENT_PUBLISHER', properties: { event: name, payload: { x: 1 } } },
      { id: 'sub', type: 'EVENT_SUBSCRIBER', properties: { event: name } },
      { id: 'end', type: 'END', properties: { output: { got: 'nodes.sub.output.event.payload' } } },
    ],
    edges: [
      { source: 'start', target: 'pub' },
      { source: 'pub', target: 'sub' },
      { source: 'sub', target: 'end', sourcePort: 'received' },
    ],
  };
  const created = await t.api('POST', '/api/v1/workflows', graph);
  const sim = await t.api('POST', `/api/v1/workflows/${created.body.id}/simulate`, {
    outputs: { pub: { eventId: 'evt-sample', delivered: 0, started: [] }, sub: { event: { payload: { sample: true } } } },
  });
  expect(sim.status).toBe(200);
  expect(sim.body).toMatchObject({ status: 'completed', output: { got: { sample: true } }, path: ['start', 'pub', 'sub', 'end'] });
  expect((await t.api('GET', `/api/v1/events?name=${encodeURIComponent(name)}`)).body.total).toBe(0);
});
