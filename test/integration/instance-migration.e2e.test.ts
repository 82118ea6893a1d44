/**
 * Moving running instances to another version of their definition (`001_*.txt`), over the API on
 * the real Temporal dev server and PostgreSQL: an instance waiting for `advance` and a suspended
 * one go on with the new version's graph and keep their data; an instance in the middle of a
 * node, or whose node or variables the new version lacks, is refused with why and goes on as before.
 */
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
});

afterAll(async () => {
  await t?.stop();
});

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const statusOf = async (id: string) => (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body;

/** Stores `graph` as `version` of the definition and makes it runnable. */
async function addVersion(definitionId: string, graph: unknown, version: string): Promise<void> {
  const put = await t.api('PUT', `/api/v1/workflows/${definitionId}`, { ...(graph as object), version });
  expect(put.status).toBe(200);
  expect((await t.api('POST', `/api/v1/workflows/${definitionId}/publish`, { version })).status).toBe(200);
}

/** A request in `review` that waits for `approve`; v2 stamps it on the way out. */
function review(version: 'v1' | 'v2', waitAt = 'review', ticksType: 'number' | 'string' = 'number') {
  const nodes = [
    { id: 'start', type: 'START' },
    { id: 'count', type: 'DATA_TRANSFORMATION', properties: { assign: { ticks: 'vars.ticks + 1' } } },
    { id: waitAt, type: 'DATA_TRANSFORMATION', properties: { assign: { shown: 'vars.ticks' } } },
    ...(version === 'v2' ? [{ id: 'stamp', type: 'DATA_TRANSFORMATION', properties: { assign: { stamped: 'true' } } }] : []),
    { id: 'end', type: 'END', properties: { output: { ticks: 'vars.ticks', stamped: 'vars.stamped', ran: 'execution.version' } } },
  ];
  const edges = [
    { source: 'start', target: 'count' },
    { source: 'count', target: waitAt },
    { source: waitAt, target: version === 'v2' ? 'stamp' : 'end', trigger: 'approve' },
    ...(version === 'v2' ? [{ source: 'stamp', target: 'end' }] : []),
  ];
  return {
    name: 'review',
    variables: { ticks: { type: ticksType, value: ticksType === 'number' ? 41 : 'x' }, stamped: { type: 'boolean', value: false } },
    nodes,
    edges,
  };
}

const migrate = (id: string, body: unknown) => t.api('POST', `/api/v1/workflow-instances/${id}/migrate`, body);

test('an instance waiting for advance moves to the new version, keeps its data, and finishes on the new graph', async () => {
  const def = await publishGraph(t, review('v1'));
  const id = await startInstance(t, def);
  await until(async () => (await statusOf(id)).status === 'waiting');
  await addVersion(def, review('v2'), '1.1.0');

  const moved = await migrate(id, { toVersion: '1.1.0' });
  expect(moved.status).toBe(200);
  expect(moved.body).toMatchObject({ id, fromVersion: '1.0.0', toVersion: '1.1.0', atNodeId: 'review', toNodeId: 'review', kind: 'trigger-wait' });
  expect(moved.body.compatibility).toBe('compatible');

  // It waits as before, now as version 1.1.0, and a second move to the same version is refused.
  await until(async () => (await statusOf(id)).status === 'waiting' && (await statusOf(id)).version === '1.1.0');
  const again = await migrate(id, { toVersion: '1.1.0' });
  expect(again.status).toBe(409);
  expect(again.body.code).toBe('MIGRATION_NOT_POSSIBLE');

  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' })).status).toBe(200);
  const done = await waitForInstance(t, id);
  expect(done.status).toBe('completed');
  expect(done.output).toEqual({ ticks: 42, stamped: true, ran: '1.1.0' });
  expect(done.version).toBe('1.1.0');

  const trail = await t.api('GET', `/api/v1/audit?resourceId=${id}&eventTypes=execution.migrated`);
  expect(trail.status).toBe(200);
  const record = trail.body.items.find((r: any) => r.action === 'execution.migrated');
  expect(record).toMatchObject({ before: { version: '1.0.0' }, after: { version: '1.1.0' } });
});

test('a node the new version lacks is refused until nodeMapping names where the instance goes', async () => {
  const def = await publishGraph(t, review('v1'));
  const id = await startInstance(t, def);
  await until(async () => (await statusOf(id)).status === 'waiting');
  await addVersion(def, review('v2', 'inspection'), '2.0.0');

  const refused = await migrate(id, { toVersion: '2.0.0' });
  expect(refused.status).toBe(409);
  expect(refused.body.code).toBe('MIGRATION_NOT_POSSIBLE');
  expect(refused.body.detail).toMatch(/review.*nodeMapping/);

  const unknownTarget = await migrate(id, { toVersion: '2.0.0', nodeMapping: { review: 'nowhere' } });
  expect(unknownTarget.status).toBe(400);
  expect(unknownTarget.body.errors ?? unknownTarget.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/nodeMapping/review' })]));

  // The refusals changed nothing: still version 1.0.0, waiting.
  expect(await statusOf(id)).toMatchObject({ status: 'waiting', version: '1.0.0' });

  const mapped = await migrate(id, { toVersion: '2.0.0', nodeMapping: { review: 'inspection' } });
  expect(mapped.status).toBe(200);
  expect(mapped.body).toMatchObject({ atNodeId: 'review', toNodeId: 'inspection', compatibility: 'breaking' });
  await until(async () => (await statusOf(id)).version === '2.0.0');
  await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' });
  expect((await waitForInstance(t, id)).output).toEqual({ ticks: 42, stamped: true, ran: '2.0.0' });
});

test('variables the new version types differently, and unknown or unpublished versions, are refused', async () => {
  const def = await publishGraph(t, review('v1'));
  const id = await startInstance(t, def);
  await until(async () => (await statusOf(id)).status === 'waiting');
  await addVersion(def, review('v1', 'review', 'string'), '1.2.0');

  const typed = await migrate(id, { toVersion: '1.2.0' });
  expect(typed.status).toBe(409);
  expect(typed.body.code).toBe('MIGRATION_NOT_POSSIBLE');
  expect(typed.body.detail).toMatch(/ticks/);

  expect((await migrate(id, { toVersion: '9.9.9' })).body.code).toBe('VERSION_NOT_FOUND');
  const draft = await t.api('PUT', `/api/v1/workflows/${def}`, { ...review('v2'), version: '1.3.0' });
  expect(draft.status).toBe(200);
  expect((await migrate(id, { toVersion: '1.3.0' })).body.code).toBe('VERSION_NOT_PUBLISHED');
  expect((await migrate(id, { toVersion: 'latest-please' })).status).toBe(400);

  await t.api('POST', `/api/v1/workflow-instances/${id}/advance`, { trigger: 'approve' });
  expect((await waitForInstance(t, id)).output).toEqual({ ticks: 42, stamped: false, ran: '1.0.0' });
});

const holdThen = (assign: string) => ({
  name: 'hold',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'hold', type: 'WAIT', properties: { duration: '1500ms' } },
    { id: 'after', type: 'DATA_TRANSFORMATION', properties: { assign: { seen: assign } } },
    { id: 'end', type: 'END', properties: { output: { seen: 'vars.seen', ran: 'execution.version' } } },
  ],
  edges: [
    { source: 'start', target: 'hold' },
    { source: 'hold', target: 'after' },
    { source: 'after', target: 'end' },
  ],
});

test('in the middle of a node an instance is refused; suspended between nodes it moves and stays suspended', async () => {
  const def = await publishGraph(t, holdThen('"old"'));
  await addVersion(def, holdThen('"new"'), '1.1.0');
  const id = (await t.api('POST', `/api/v1/workflows/${def}/instances`, { version: '1.0.0' })).body.id as string;
  await until(async () => (await statusOf(id)).status === 'waiting');

  const busy = await migrate(id, { toVersion: '1.1.0' });
  expect(busy.status).toBe(409);
  expect(busy.body.code).toBe('MIGRATION_NOT_POSSIBLE');
  expect(busy.body.detail).toMatch(/node boundary/);

  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/suspend`, {})).status).toBe(200);
  // The WAIT ends; the suspended instance stops before `after`, where a migration may take it.
  let moved: Awaited<ReturnType<typeof migrate>> | undefined;
  await until(async () => {
    moved = await migrate(id, { toVersion: '1.1.0' });
    return moved.status === 200;
  });
  expect(moved?.body).toMatchObject({ atNodeId: 'after', kind: 'between-nodes' });
  await new Promise((r) => setTimeout(r, 500));
  expect(await statusOf(id)).toMatchObject({ status: 'suspended', version: '1.1.0' });

  expect((await t.api('POST', `/api/v1/workflow-instances/${id}/resume`, {})).status).toBe(200);
  expect((await waitForInstance(t, id)).output).toEqual({ seen: 'new', ran: '1.1.0' });
});
