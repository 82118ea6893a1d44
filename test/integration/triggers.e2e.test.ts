/**
 * Triggers (issue 17) on real Temporal and PostgreSQL: trigger CRUD and bad input, webhooks
 * signed right, wrong, late and twice, a Temporal Schedule firing on a seconds interval and
 * then paused, API-made event triggers beside the graph's own, and manual firings.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { signWebhook } from '../../src/domain/webhook-signature';
import { publishGraph, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

let t: TestWeft;
let definitionId: string;

/** Reports its input and where it ran. */
const echo = {
  name: 'trigger-echo',
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'end', type: 'END', properties: { output: { input: 'input', site: 'execution.site.id' } } },
  ],
  edges: [{ source: 'start', target: 'end' }],
  triggers: [{ event: 'lot.graded' }],
};

async function ok(method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await t.api(method, `/api/v1${path}`, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const instances = async (workflowId: string): Promise<any[]> => (await ok('GET', `/workflows/${workflowId}/instances?limit=200`)).items;

/** Sends a webhook delivery over real HTTP, signed with `secret` unless `sign` says otherwise. */
async function deliver(
  triggerId: string,
  body: string,
  opts: { secret?: string; timestamp?: number; delivery?: string; signature?: string | null; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  if (opts.signature !== null) {
    headers['x-weft-timestamp'] = String(timestamp);
    headers['x-weft-signature'] = opts.signature ?? signWebhook(opts.secret ?? '', timestamp, body);
  }
  if (opts.delivery) headers['x-weft-delivery'] = opts.delivery;
  const res = await fetch(`${t.url}/api/v1/webhooks/${triggerId}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  t = await startTestWeft({ database: 'postgres' });
  await ok('POST', '/sites', { id: 'dock-7', name: 'Dock 7', region: 'eu-west', environment: 'production' }, 201);
  definitionId = await publishGraph(t, echo);
});

afterAll(async () => {
  await t?.stop();
});

describe('trigger management', () => {
  test('triggers are created, listed (with the graph’s event trigger), changed, audited and deleted', async () => {
    const created = await ok(
      'POST',
      `/workflows/${definitionId}/triggers`,
      { type: 'manual', name: 'operator start', inputMapping: '{ "order": input.orderId }', site: 'dock-7' },
      201,
    );
    expect(created).toMatchObject({ type: 'manual', name: 'operator start', enabled: true, site: 'dock-7', source: 'api', workflowId: definitionId });

    const listed = await ok('GET', `/workflows/${definitionId}/triggers`);
    expect(listed.items.map((i: any) => [i.id, i.source])).toEqual(
      expect.arrayContaining([
        [created.id, 'api'],
        ['definition:lot.graded', 'definition'],
      ]),
    );
    const graphTrigger = await t.api('PATCH', `/api/v1/workflows/${definitionId}/triggers/definition:lot.graded`, { enabled: false });
    expect(graphTrigger.status).toBe(409);
    expect(graphTrigger.body.code).toBe('TRIGGER_READ_ONLY');

    const fired = await t.api('POST', `/api/v1/workflows/${definitionId}/triggers/${created.id}/fire`, { input: { orderId: 'A-1' } });
    expect(fired.status).toBe(202);
    expect((await waitForInstance(t, fired.body.id)).output).toEqual({ input: { order: 'A-1' }, site: 'dock-7' });

    const disabled = await ok('PATCH', `/workflows/${definitionId}/triggers/${created.id}`, { enabled: false, inputMapping: null });
    expect(disabled).toMatchObject({ enabled: false, inputMapping: null });
    expect((await t.api('POST', `/api/v1/workflows/${definitionId}/triggers/${created.id}/fire`, { input: {} })).body.code).toBe('TRIGGER_DISABLED');

    expect((await t.api('DELETE', `/api/v1/workflows/${definitionId}/triggers/${created.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/workflows/${definitionId}/triggers/${created.id}`)).body.code).toBe('TRIGGER_NOT_FOUND');

    const audit = await ok('GET', `/audit?resourceType=trigger&resourceId=${created.id}`);
    expect(audit.items.map((e: any) => e.action).sort()).toEqual(['trigger.created', 'trigger.deleted', 'trigger.updated']);
  });

  test('bad input is refused with the code and JSON path of each problem, and creates nothing', async () => {
    const before = (await ok('GET', `/workflows/${definitionId}/triggers`)).items.length;
    const post = (body: unknown) => t.api('POST', `/api/v1/workflows/${definitionId}/triggers`, body);

    const unknownType = await post({ type: 'carrier-pigeon' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.errors.map((e: any) => e.path)).toContain('/type');

    const both = await post({ type: 'schedule', config: { cron: '* * * * *', interval: '5s' } });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: any) => e.path)).toContain('/config/cron');

    const badZone = await post({ type: 'schedule', config: { cron: '0 6 * * *', timeZone: 'Mars/Olympus' } });
    expect(badZone.body.errors.map((e: any) => e.path)).toContain('/config/timeZone');

    const badMapping = await post({ type: 'webhook', inputMapping: 'body.(' });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.errors.map((e: any) => e.path)).toContain('/inputMapping');

    const tolerance = await post({ type: 'webhook', config: { toleranceSeconds: 0 } });
    expect(tolerance.body.errors.map((e: any) => e.path)).toContain('/config/toleranceSeconds');

    const noSite = await post({ type: 'manual', site: 'nowhere' });
    expect(noSite.status).toBe(404);
    expect(noSite.body.code).toBe('SITE_NOT_FOUND');

    expect((await t.api('POST', '/api/v1/workflows/no-such-workflow/triggers', { type: 'manual' })).body.code).toBe('WORKFLOW_NOT_FOUND');
    expect((await ok('GET', `/workflows/${definitionId}/triggers`)).items.length).toBe(before);

    const schedule = await ok(
      'POST',
      `/workflows/${definitionId}/triggers`,
      { type: 'schedule', enabled: false, config: { cron: '0 6 * * 1-5', timeZone: 'Europe/Paris' } },
      201,
    );
    const badPatch = await t.api('PATCH', `/api/v1/workflows/${definitionId}/triggers/${schedule.id}`, { config: { interval: 'often' } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors.map((e: any) => e.path)).toContain('/config/interval');
    expect(schedule.schedule.paused).toBe(true);
    expect(schedule.schedule.nextRunTimes.length).toBeGreaterThan(0);
    expect((await t.api('DELETE', `/api/v1/workflows/${definitionId}/triggers/${schedule.id}`)).status).toBe(204);
  });
});

describe('webhooks', () => {
  let trigger: any;

  beforeAll(async () => {
    trigger = await ok(
      'POST',
      `/workflows/${definitionId}/triggers`,
      {
        type: 'webhook',
        inputMapping: '{ "order": body.order, "via": headers.`x-source` }',
        site: 'dock-7',
        config: { toleranceSeconds: 60, maxBodyBytes: 1000 },
      },
      201,
    );
  });

  test('the secret is shown once; the webhook describes itself without a token', async () => {
    expect(trigger.secret).toMatch(/^whsec_/);
    const again = await ok('GET', `/workflows/${definitionId}/triggers/${trigger.id}`);
    expect(again.secret).toBeUndefined();
    expect(JSON.stringify(again)).not.toContain(trigger.secret);
    const described = await t.api('GET', `/api/v1/webhooks/${trigger.id}`, undefined, { token: null });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ triggerId: trigger.id, method: 'POST', toleranceSeconds: 60, signature: { algorithm: 'HMAC-SHA256' } });
  });

  test('a good signature starts one execution, at the trigger’s site, with the mapped input; the same delivery again starts no other', async () => {
    const body = JSON.stringify({ order: 'W-1' });
    const res = await fetch(`${t.url}/api/v1/webhooks/${trigger.id}`, {
      method: 'POST',
      headers: (() => {
        const ts = Math.floor(Date.now() / 1000);
        return {
          'content-type': 'application/json',
          'x-source': 'erp',
          'x-weft-timestamp': String(ts),
          'x-weft-signature': signWebhook(trigger.secret, ts, body),
          'x-weft-delivery': 'd-1',
        };
      })(),
      body,
    });
    expect(res.status).toBe(202);
    const first = (await res.json()) as any;
    expect((await waitForInstance(t, first.id)).output).toEqual({ input: { order: 'W-1', via: 'erp' }, site: 'dock-7' });

    // The sender retries the same delivery (same id, signed again later): the same execution answers.
    const retried = await deliver(trigger.id, body, { secret: trigger.secret, delivery: 'd-1', timestamp: Math.floor(Date.now() / 1000) - 1 });
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(first.id);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');

    // The very same signed request replayed under a new delivery id starts nothing.
    const ts = Math.floor(Date.now() / 1000);
    const original = await deliver(trigger.id, JSON.stringify({ order: 'W-2' }), { secret: trigger.secret, delivery: 'd-2', timestamp: ts });
    expect(original.status).toBe(202);
    const replayed = await deliver(trigger.id, JSON.stringify({ order: 'W-2' }), { secret: trigger.secret, delivery: 'd-3', timestamp: ts });
    expect(replayed.status).toBe(409);
    expect(replayed.body.code).toBe('WEBHOOK_REPLAYED');
    await waitForInstance(t, original.body.id);

    const orders = (await instances(definitionId)).filter((i) => i.input?.via === 'erp' || ['W-1', 'W-2'].includes(i.input?.order));
    expect(orders.map((i) => i.input.order).sort()).toEqual(['W-1', 'W-2']);
  });

  test('unsigned, badly signed, stale and oversized deliveries are refused with their code and start nothing', async () => {
    const before = (await instances(definitionId)).length;
    const body = JSON.stringify({ order: 'X' });

    const unsigned = await deliver(trigger.id, body, { signature: null });
    expect([unsigned.status, unsigned.body.code]).toEqual([401, 'WEBHOOK_SIGNATURE_MISSING']);
    expect(unsigned.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const wrongSecret = await deliver(trigger.id, body, { secret: 'whsec_not-the-secret' });
    expect([wrongSecret.status, wrongSecret.body.code]).toEqual([401, 'WEBHOOK_SIGNATURE_INVALID']);

    const tampered = await deliver(trigger.id, body, { signature: signWebhook(trigger.secret, Math.floor(Date.now() / 1000), JSON.stringify({ order: 'Y' })) });
    expect(tampered.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');

    const stale = await deliver(trigger.id, body, { secret: trigger.secret, timestamp: Math.floor(Date.now() / 1000) - 120 });
    expect([stale.status, stale.body.code]).toEqual([401, 'WEBHOOK_TIMESTAMP_STALE']);

    const large = await deliver(trigger.id, JSON.stringify({ order: 'x'.repeat(2000) }), { secret: trigger.secret });
    expect([large.status, large.body.code]).toEqual([413, 'WEBHOOK_PAYLOAD_TOO_LARGE']);

    const notJson = await deliver(trigger.id, '{nope', { secret: trigger.secret });
    expect([notJson.status, notJson.body.code]).toEqual([400, 'INVALID_REQUEST']);

    expect((await deliver('trg-unknown', body, { secret: trigger.secret })).status).toBe(404);
    expect((await instances(definitionId)).length).toBe(before);
  });

  test('a rotated secret replaces the old one at once', async () => {
    const rotated = await ok('POST', `/workflows/${definitionId}/triggers/${trigger.id}/rotate-secret`);
    expect(rotated.secret).not.toBe(trigger.secret);
    const old = await deliver(trigger.id, JSON.stringify({ order: 'R-1' }), { secret: trigger.secret, delivery: 'r-1' });
    expect(old.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const fresh = await deliver(trigger.id, JSON.stringify({ order: 'R-1' }), { secret: rotated.secret, delivery: 'r-1' });
    expect(fresh.status).toBe(202);
    await waitForInstance(t, fresh.body.id);
  });
});

describe('schedules', () => {
  test('a Temporal Schedule fires on a seconds interval, stops when paused, and goes with its trigger', async () => {
    const scheduled = await publishGraph(t, { ...echo, name: 'scheduled-echo', triggers: undefined });
    const trigger = await ok(
      'POST',
      `/workflows/${scheduled}/triggers`,
      { type: 'schedule', inputMapping: '{ "by": triggerId, "at": scheduledAt }', config: { interval: '2s', overlap: 'skip' } },
      201,
    );
    expect(trigger.schedule).toMatchObject({ scheduleId: `weft-trigger-${trigger.id}`, paused: false });
    expect(trigger.schedule.nextRunTimes.length).toBeGreaterThan(0);

    await until(async () => (await instances(scheduled)).filter((i) => i.status === 'completed').length >= 2);
    const [one] = await instances(scheduled);
    expect(one.input).toEqual({ by: trigger.id, at: expect.any(String) });
    const audit = await ok('GET', `/audit?resourceType=execution&resourceId=${one.id}`);
    expect(audit.items.find((e: any) => e.action === 'execution.started').actor).toBe(`schedule:${trigger.id}`);

    const paused = await ok('PATCH', `/workflows/${scheduled}/triggers/${trigger.id}`, { enabled: false });
    expect(paused.schedule.paused).toBe(true);
    const handle = t.temporal.schedule.getHandle(`weft-trigger-${trigger.id}`);
    // A run taken just before the pause may still be starting its execution: let it finish.
    await until(async () => (await handle.describe()).info.runningActions.length === 0);
    await until(async () => (await instances(scheduled)).every((i) => i.status === 'completed'));
    const settled = (await instances(scheduled)).length;
    // Three intervals pass while paused: no run is taken.
    await new Promise((r) => setTimeout(r, 6_500));
    expect((await instances(scheduled)).length).toBe(settled);
    expect((await handle.describe()).state.paused).toBe(true);

    expect((await t.api('DELETE', `/api/v1/workflows/${scheduled}/triggers/${trigger.id}`)).status).toBe(204);
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  test("deleting a workflow deletes its triggers' schedules: none keeps firing", async () => {
    const doomed = await publishGraph(t, { ...echo, name: 'doomed-echo', triggers: undefined });
    const schedule = (config: Record<string, unknown>) => ok('POST', `/workflows/${doomed}/triggers`, { type: 'schedule', config }, 201);
    const running = await schedule({ interval: '1h' });
    const paused = await ok('PATCH', `/workflows/${doomed}/triggers/${(await schedule({ cron: '0 3 * * *', timeZone: 'Europe/Berlin' })).id}`, {
      enabled: false,
    });
    const handles = [running, paused].map((tr) => t.temporal.schedule.getHandle(`weft-trigger-${tr.id}`));
    for (const handle of handles) expect((await handle.describe()).scheduleId).toBe(handle.scheduleId);

    expect((await t.api('DELETE', `/api/v1/workflows/${doomed}`)).status).toBe(204);
    for (const handle of handles) await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    const audit = await ok('GET', `/audit?resourceType=workflow&resourceId=${doomed}`);
    expect(audit.items.find((e: any) => e.action === 'workflow.deleted').details.schedulesDeleted.sort()).toEqual(handles.map((h) => h.scheduleId).sort());
  });
});

describe('event triggers', () => {
  test('an event trigger made through the API starts beside the graph’s own, with its filter and mapping; POST /events still answers', async () => {
    const trigger = await ok(
      'POST',
      `/workflows/${definitionId}/triggers`,
      { type: 'event', inputMapping: '{ "grade": event.payload.grade }', config: { event: 'lot.graded', filter: "event.payload.grade = 'A'" } },
      201,
    );
    const a = await ok('POST', '/events', { name: 'lot.graded', payload: { grade: 'A' } }, 202);
    // The graph's trigger and the API's: two executions.
    expect(a.started).toHaveLength(2);
    const outputs = await Promise.all(a.started.map(async (id: string) => (await waitForInstance(t, id)).output.input));
    expect(outputs).toEqual(expect.arrayContaining([{ grade: 'A' }, { event: expect.objectContaining({ name: 'lot.graded' }) }]));

    const b = await ok('POST', '/events', { name: 'lot.graded', payload: { grade: 'B' } }, 202);
    expect(b.started).toHaveLength(1);
    await ok('DELETE', `/workflows/${definitionId}/triggers/${trigger.id}`, undefined, 204);
  });
});
