/**
 * The API's conventions as a new user tries them: If-Match on edits, Idempotency-Key reuse (instance
 * starts, events, inventory receipts),
 * WWW-Authenticate on 401, /ready without internal error text.
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

test('PUT /workflows/{id} honours If-Match with the strong ETag of GET: a stale or bogus tag is refused with 412', async () => {
  const created = await t.api('POST', '/api/v1/workflows', lineGraph('edited', []));
  const id = created.body.id as string;
  const read = await t.api('GET', `/api/v1/workflows/${id}`);
  const etag = read.headers.get('etag');
  expect(etag).toMatch(/^"[^"]+"$/);

  const bogus = await t.api('PUT', `/api/v1/workflows/${id}`, lineGraph('edited', []), { headers: { 'If-Match': '"bogus"' } });
  expect(bogus.status).toBe(412);
  expect(bogus.body.code).toBe('PRECONDITION_FAILED');

  const first = await t.api('PUT', `/api/v1/workflows/${id}`, lineGraph('edited by alice', []), { headers: { 'If-Match': etag! } });
  expect(first.status).toBe(200);
  expect(first.headers.get('etag')).not.toBe(etag);
  // Bob read before Alice saved: his save would overwrite hers, so it is refused.
  const second = await t.api('PUT', `/api/v1/workflows/${id}`, lineGraph('edited by bob', []), { headers: { 'If-Match': etag! } });
  expect(second.status).toBe(412);
  expect((await t.api('GET', `/api/v1/workflows/${id}`)).body.graph.name).toBe('edited by alice');
  // The new tag works, and so does `*` or no If-Match at all (clients that do not use tags).
  expect((await t.api('PUT', `/api/v1/workflows/${id}`, lineGraph('again', []), { headers: { 'If-Match': first.headers.get('etag')! } })).status).toBe(200);
  expect((await t.api('PUT', `/api/v1/workflows/${id}`, lineGraph('again', []), { headers: { 'If-Match': '*' } })).status).toBe(200);
  expect((await t.api('PUT', `/api/v1/workflows/${id}`, lineGraph('again', []))).status).toBe(200);
});

test('an Idempotency-Key reused with another body answers 422 IDEMPOTENCY_KEY_REUSED; keys are per caller', async () => {
  const id = await publishGraph(t, lineGraph('idempotent', []));
  const start = (input: unknown, sub = 'alice') =>
    t.api('POST', `/api/v1/workflows/${id}/instances`, { input }, { token: t.token(['operator'], sub), headers: { 'Idempotency-Key': 'order-7' } });
  const first = await start({ n: 1 });
  expect(first.status).toBe(202);
  const repeat = await start({ n: 1 });
  expect(repeat.status).toBe(202);
  expect(repeat.body.id).toBe(first.body.id);
  expect(repeat.headers.get('idempotent-replayed')).toBe('true');

  const changed = await start({ n: 2 });
  expect(changed.status).toBe(422);
  expect(changed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(changed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

  // Bob's order-7 is his own request, not Alice's.
  const bobs = await start({ n: 2 }, 'bob');
  expect(bobs.status).toBe(202);
  expect(bobs.body.id).not.toBe(first.body.id);
  expect(bobs.headers.get('idempotent-replayed')).toBeNull();
});

test('POST /events and POST /inventory/receipts treat Idempotency-Key as instance starts do: per caller, replayed, 422 on another body', async () => {
  const keyed = (path: string, body: unknown, sub: string, key: string) =>
    t.api('POST', path, body, { token: t.token(['operator'], sub), headers: { 'Idempotency-Key': key } });

  const event = { name: 'batch.closed', correlationKey: 'B-1', payload: { weight: 12 } };
  const first = await keyed('/api/v1/events', event, 'alice', 'close-b1');
  expect(first.status).toBe(202);
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  const repeat = await keyed('/api/v1/events', { ...event, payload: { weight: 12 } }, 'alice', 'close-b1');
  expect(repeat.status).toBe(202);
  expect(repeat.body.id).toBe(first.body.id);
  expect(repeat.headers.get('idempotent-replayed')).toBe('true');
  for (const changed of [
    { ...event, payload: { weight: 13 } },
    { ...event, correlationKey: 'B-2' },
    { ...event, name: 'batch.opened' },
  ]) {
    const refused = await keyed('/api/v1/events', changed, 'alice', 'close-b1');
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  }
  const bobs = await keyed('/api/v1/events', { ...event, payload: { weight: 99 } }, 'bob', 'close-b1');
  expect(bobs.status).toBe(202);
  expect(bobs.body.id).not.toBe(first.body.id);
  const published = await t.api('GET', '/api/v1/events?name=batch.closed&limit=200');
  expect(published.body.items.map((e: { id: string }) => e.id).sort()).toEqual([first.body.id, bobs.body.id].sort());

  const receipt = { material: 'idem-resin', lot: 'L1', location: 'WH1', quantity: 5, unit: 'kg' };
  const received = await keyed('/api/v1/inventory/receipts', receipt, 'alice', 'r-1');
  expect(received.status).toBe(201);
  const again = await keyed('/api/v1/inventory/receipts', receipt, 'alice', 'r-1');
  expect(again.status).toBe(200);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body).toMatchObject({ quantity: 5, movementId: received.body.movementId });
  for (const changed of [
    { ...receipt, quantity: 6 },
    { ...receipt, lot: 'L2' },
  ]) {
    const refused = await keyed('/api/v1/inventory/receipts', changed, 'alice', 'r-1');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  }
  const bobsReceipt = await keyed('/api/v1/inventory/receipts', receipt, 'bob', 'r-1');
  expect(bobsReceipt.status).toBe(201);
  expect(bobsReceipt.headers.get('idempotent-replayed')).toBeNull();
  const lots = await t.api('GET', '/api/v1/inventory?material=idem-resin');
  // Alice's receipt once, Bob's once; the refused ones added nothing and created no lot L2.
  expect(lots.body.items.map((l: { lot: string; quantity: number }) => [l.lot, l.quantity])).toEqual([['L1', 10]]);
});

test('a 401 carries WWW-Authenticate: Bearer', async () => {
  for (const token of [null, 'not-a-jwt']) {
    const res = await t.api('GET', '/api/v1/workflows', undefined, { token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  }
});

test('/ready answers each check as ok or unavailable, never with error text', async () => {
  const res = await t.api('GET', '/ready', undefined, { token: null });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
});

test('cursor lists answer a next link that walks every item once, ending with next: null', async () => {
  for (const n of [1, 2, 3])
    expect((await t.api('POST', '/api/v1/sites', { id: `paged-${n}`, name: `Paged ${n}`, region: 'eu', environment: 'production' })).status).toBe(201);
  const seen: string[] = [];
  let next: string | null = '/api/v1/sites?limit=2&region=eu';
  let pages = 0;
  while (next) {
    const page: { body: { items: Array<{ id: string }>; next: string | null } } = await t.api('GET', next);
    expect(page.body.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.body.items.map((s) => s.id));
    next = page.body.next;
    if (next) expect(next).toMatch(/^\/api\/v1\/sites\?.*limit=2.*cursor=/);
    pages += 1;
  }
  expect(pages).toBe(2);
  expect(seen.filter((id) => id.startsWith('paged-')).sort()).toEqual(['paged-1', 'paged-2', 'paged-3']);
  expect(new Set(seen).size).toBe(seen.length);
  expect((await t.api('GET', '/api/v1/sites?limit=1000')).status).toBe(400);
});
