/**
 * Every list pages the same way (docs/api.md, "Pagination"): `{ items, nextCursor, next }`,
 * `?limit` bounded, `next` followed as given until null, every item once; a cursor that is not
 * the list's own answers 400 with a path. Lists that paged by offset still take `offset` and keep
 * `total` for their older clients.
 */
import { publishGraph, startTestWeft, type TestWeft } from '../support/harness';
import { lineGraph } from '../support/line-graph';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft({ worker: false });
});

afterAll(async () => {
  await t?.stop();
});

interface Page {
  items: Array<Record<string, unknown>>;
  nextCursor: string | null;
  next: string | null;
  total?: number;
}

/** Follows `next` from `first` to the end; checks each page's size and link; the items' keys in order. */
async function walk(first: string, limit: number, keyOf: (item: Record<string, unknown>) => string, between?: (page: number) => Promise<void>) {
  const keys: string[] = [];
  let next: string | null = first;
  let pages = 0;
  while (next) {
    const res = await t.api('GET', next);
    expect(res.status).toBe(200);
    const page = res.body as Page;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    expect(page.next === null).toBe(page.nextCursor === null);
    if (page.next !== null) {
      expect(page.items.length).toBe(limit);
      const link = new URL(page.next, 'http://x');
      expect(link.pathname).toBe(new URL(first, 'http://x').pathname);
      expect(link.searchParams.get('cursor')).toBe(page.nextCursor);
      expect(link.searchParams.get('limit')).toBe(String(limit));
    }
    keys.push(...page.items.map(keyOf));
    next = page.next;
    pages += 1;
    await between?.(pages);
  }
  expect(new Set(keys).size).toBe(keys.length);
  return { keys, pages };
}

const id = (item: Record<string, unknown>) => String(item.id);

test('lists that paged by offset walk by cursor: workflows, events, instances, users, approval requests', async () => {
  const workflows: string[] = [];
  for (let n = 0; n < 5; n++) workflows.push(await publishGraph(t, lineGraph(`paged workflow ${n}`, [])));
  const all = await walk('/api/v1/workflows?limit=2&search=paged%20workflow', 2, id);
  expect(all.pages).toBe(3);
  // Newest first, as before cursors.
  expect(all.keys).toEqual([...workflows].reverse());

  const started: string[] = [];
  for (let n = 0; n < 5; n++) started.push((await t.api('POST', `/api/v1/workflows/${workflows[0]}/instances`, { input: { n } })).body.id);
  const instances = await walk(`/api/v1/workflows/${workflows[0]}/instances?limit=2`, 2, id);
  expect(instances.keys).toEqual([...started].reverse());
  const everywhere = await walk(`/api/v1/workflow-instances?limit=3&workflowId=${workflows[0]}`, 3, id);
  expect(everywhere.keys).toEqual(instances.keys);
  // A start-time window: `from` keeps those started at or after it, `to` those before it.
  const listed = (await t.api('GET', `/api/v1/workflow-instances?workflowId=${workflows[0]}`)).body.items as Array<{ id: string; startedAt: string }>;
  const middle = listed[2]!;
  const since = (await t.api('GET', `/api/v1/workflow-instances?workflowId=${workflows[0]}&from=${encodeURIComponent(middle.startedAt)}`)).body.items;
  const before = (await t.api('GET', `/api/v1/workflow-instances?workflowId=${workflows[0]}&to=${encodeURIComponent(middle.startedAt)}`)).body.items;
  expect(since.map(id)).toEqual(instances.keys.slice(0, 3));
  expect(before.map(id)).toEqual(instances.keys.slice(3));
  const badFrom = await t.api('GET', '/api/v1/workflow-instances?from=yesterday');
  expect(badFrom.status).toBe(400);
  expect(JSON.stringify(badFrom.body.errors)).toContain('/from');

  for (const n of [1, 2, 3, 4, 5, 6, 7]) expect((await t.api('POST', '/api/v1/events', { name: 'paged.event', payload: { n } })).status).toBe(202);
  const names = (item: Record<string, unknown>) => String((item.payload as { n: number }).n);
  // An event published while a client pages does not shift the pages it has yet to read (an
  // offset would answer the last item of page 1 again on page 2).
  const events = await walk('/api/v1/events?limit=3&name=paged.event', 3, names, async (page) => {
    if (page === 1) expect((await t.api('POST', '/api/v1/events', { name: 'paged.event', payload: { n: 8 } })).status).toBe(202);
  });
  expect(events.keys).toEqual(['7', '6', '5', '4', '3', '2', '1']);

  for (let n = 0; n < 5; n++)
    expect((await t.api('POST', '/api/v1/users', { id: `paged-user-${n}`, name: `User ${n}`, roles: ['operator'] })).status).toBe(201);
  const users = await walk('/api/v1/users?limit=2&role=operator', 2, id);
  expect(users.keys.filter((u) => u.startsWith('paged-user-'))).toEqual([0, 1, 2, 3, 4].map((n) => `paged-user-${n}`));

  for (let n = 0; n < 3; n++) {
    const created = await t.api('POST', '/api/v1/approval-requests', {
      type: 'paged',
      title: `request ${n}`,
      chain: { steps: [{ id: 'one', approvers: [{ type: 'user', identifier: 'paged-user-0' }] }] },
    });
    expect(created.status).toBe(201);
  }
  const requests = await walk('/api/v1/approval-requests?limit=2&type=paged', 2, id);
  expect(requests.keys).toHaveLength(3);
});

test('older clients: offset still pages and total is still answered; next continues after the offset page', async () => {
  for (const n of [1, 2, 3, 4, 5]) expect((await t.api('POST', '/api/v1/events', { name: 'offset.event', payload: { n } })).status).toBe(202);
  const page = await t.api('GET', '/api/v1/events?name=offset.event&limit=2&offset=1');
  expect(page.status).toBe(200);
  expect(page.body.total).toBe(5);
  expect(page.body.items.map((e: { payload: { n: number } }) => e.payload.n)).toEqual([4, 3]);
  expect(page.body.next).not.toMatch(/offset=/);
  const rest = await walk(page.body.next, 2, (e) => String((e.payload as { n: number }).n));
  expect(rest.keys).toEqual(['2', '1']);
});

test('short lists page too: groups, equipment, parameters, inventory, versions', async () => {
  for (let n = 0; n < 5; n++) {
    expect((await t.api('POST', '/api/v1/groups', { id: `paged-group-${n}`, name: `Group ${n}` })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/equipment', { id: `paged-eq-${n}`, name: `Press ${n}`, kind: 'press' })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/config/parameters', { key: `paged_param${n}`, name: `Param ${n}`, type: 'string', category: 'paged' })).status).toBe(
      201,
    );
    const receipt = { material: 'paged-resin', lot: `L${n}`, location: 'WH1', quantity: 1, unit: 'kg' };
    expect((await t.api('POST', '/api/v1/inventory/receipts', receipt, { token: t.token(['operator']) })).status).toBe(201);
  }
  const groups = await walk('/api/v1/groups?limit=2', 2, id);
  expect(groups.keys.filter((g) => g.startsWith('paged-group-'))).toEqual([0, 1, 2, 3, 4].map((n) => `paged-group-${n}`));
  const equipment = await walk('/api/v1/equipment?limit=2', 2, id);
  expect(equipment.keys.filter((e) => e.startsWith('paged-eq-'))).toHaveLength(5);
  const parameters = await walk('/api/v1/config/parameters?limit=2&category=paged', 2, (p) => String(p.key));
  expect(parameters.keys).toEqual([0, 1, 2, 3, 4].map((n) => `paged_param${n}`));
  const lots = await walk('/api/v1/inventory?limit=2&material=paged-resin', 2, (l) => String(l.lot));
  expect(lots.keys).toEqual(['L0', 'L1', 'L2', 'L3', 'L4']);

  const workflow = await publishGraph(t, lineGraph('versioned', []));
  for (const v of ['1.1.0', '1.2.0', '1.10.0']) {
    expect((await t.api('POST', `/api/v1/workflows/${workflow}/versions`, { graph: lineGraph('versioned', []), version: v })).status).toBe(201);
  }
  const versions = await walk(`/api/v1/workflows/${workflow}/versions?limit=2`, 2, (v) => String(v.version));
  expect(versions.keys.slice(0, 3)).toEqual(['1.10.0', '1.2.0', '1.1.0']);
});

test('limit is bounded and a cursor that is not the list’s own answers 400 with a path', async () => {
  for (const path of ['/api/v1/workflows?limit=201', '/api/v1/events?limit=0', '/api/v1/groups?limit=501', '/api/v1/workflow-instances?limit=abc']) {
    const res = await t.api('GET', path);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_REQUEST');
    expect(res.body.errors[0].path).toBe('/limit');
  }
  for (const n of [1, 2]) await t.api('POST', '/api/v1/groups', { id: `cursor-group-${n}`, name: `Group ${n}` });
  const groupsCursor = (await t.api('GET', '/api/v1/groups?limit=1')).body.nextCursor as string;
  expect(groupsCursor).toEqual(expect.any(String));
  for (const path of [
    '/api/v1/events?cursor=garbage',
    `/api/v1/workflows?cursor=${groupsCursor}`,
    '/api/v1/groups?cursor=bm9wZQ',
    '/api/v1/users?cursor=W10',
  ]) {
    const res = await t.api('GET', path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ path: '/cursor' }] });
  }
});
