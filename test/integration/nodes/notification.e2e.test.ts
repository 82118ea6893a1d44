/**
 * NOTIFICATION end to end: published graphs send real email to a real SMTP server on loopback
 * (recipients resolved from the directory) and post Slack, Teams and generic webhook payloads to
 * a real HTTP receiver, through the SSRF guard.
 */
import { json, startFakeService, type FakeService } from '../../support/fake-service';
import { requestApproval, runGraph, startTestWeft, type TestWeft } from '../../support/harness';
import { startFakeSmtp, type FakeSmtp } from '../../support/smtp-server';

let t: TestWeft;
let svc: FakeService;
let smtp: FakeSmtp;

beforeAll(async () => {
  svc = await startFakeService();
  smtp = await startFakeSmtp({ user: 'weft', pass: 's3cret:p@ss' });
  t = await startTestWeft({ allowedHosts: [svc.host], env: { WEFT_SMTP_URL: smtp.url, WEFT_MAIL_FROM: 'Weft <weft@example.com>' } });
  const users = [
    { id: 'alice', name: 'Alice', email: 'alice@example.com', roles: ['approver'] },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', roles: ['manager'] },
    { id: 'carol', name: 'Carol', email: 'carol@example.com', roles: ['operator'] },
    { id: 'dave', name: 'Dave', email: 'dave@example.com', roles: ['operator'], active: false },
    { id: 'erin', name: 'Erin', roles: ['operator'] },
  ];
  for (const user of users) expect((await t.api('POST', '/api/v1/users', user)).status).toBe(201);
  expect((await t.api('POST', '/api/v1/groups', { id: 'line-1', name: 'Line 1' })).status).toBe(201);
  expect((await t.api('PUT', '/api/v1/groups/line-1/members', { add: ['carol', 'dave', 'erin'] })).status).toBe(200);
  expect((await t.api('POST', '/api/v1/groups', { id: 'empty', name: 'Nobody' })).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
  await svc?.close();
  await smtp?.close();
});

beforeEach(() => {
  smtp.messages.length = 0;
  smtp.refused.length = 0;
  smtp.rejectRecipient(undefined);
  svc.requests.length = 0;
  svc.handle((_req, res) => json(res, 200, { ok: true }));
});

function notifying(properties: Record<string, unknown>) {
  return {
    name: 'notify',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'notify', type: 'NOTIFICATION', properties },
      { id: 'end', type: 'END', properties: { output: { notified: 'nodes.notify.output' } } },
    ],
    edges: [
      { source: 'start', target: 'notify' },
      { source: 'notify', target: 'end' },
    ],
  };
}

const history = async (id: string) =>
  (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body.nodes.find((n: { nodeId: string }) => n.nodeId === 'notify');

test('email reaches a user, the holders of a role and the active members of a group, rendered, authenticated, keyed', async () => {
  const out = await runGraph(
    t,
    notifying({
      channels: ['email'],
      recipients: [
        { type: 'user', identifier: 'alice' },
        { type: 'role', identifier: 'manager' },
        { type: 'group', identifier: 'line-1' },
        { type: 'email', identifier: '${input.cc}' },
        { type: 'user', identifier: 'nobody-here' },
      ],
      subject: 'Order ${input.orderId} is ready',
      message: 'Hello, order {{input.orderId}} totals {{input.total}}.',
      html: '<p>Order <b>${input.orderId}</b></p>',
    }),
    { orderId: 'A-17', total: 42, cc: 'ALICE@example.com' },
  );
  expect(out.status).toBe('completed');
  const { sent, skipped } = out.output.notified;
  // alice once although named twice (the cc differs only in case); the group's inactive dave is
  // no member that counts; erin has no email.
  expect(sent.map((s: { to: string }) => s.to)).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
  expect(skipped).toEqual([
    { channel: 'email', recipient: { type: 'user', identifier: 'erin' }, reason: 'user erin has no email address' },
    { channel: 'email', recipient: { type: 'user', identifier: 'nobody-here' }, reason: 'unknown user' },
  ]);
  expect(smtp.messages).toHaveLength(3);
  for (const [i, mail] of smtp.messages.entries()) {
    expect(mail.user).toBe('weft');
    expect(mail.from).toBe('weft@example.com');
    expect(mail.to).toEqual([sent[i].to]);
    expect(mail.headers.subject).toBe('Order A-17 is ready');
    expect(mail.headers['message-id']).toBe(sent[i].id);
    expect(mail.headers['idempotency-key']).toBe(`${out.id}:notify:0`);
    expect(mail.raw).toContain('Hello, order A-17 totals 42.');
    expect(mail.raw).toContain('<p>Order <b>A-17</b></p>');
  }
  expect(new Set(sent.map((s: { id: string }) => s.id)).size).toBe(3);
});

test('Slack gets { text, blocks } and Teams an Adaptive Card message; the output names hosts, not the secret paths', async () => {
  const out = await runGraph(
    t,
    notifying({
      channels: ['slack', 'teams'],
      subject: 'Line ${input.line} stopped',
      message: 'Reason: {{input.reason}}',
      webhookUrl: { slack: `${svc.url}/services/T000/B000/secret`, teams: `${svc.url}/webhookb2/team-secret` },
    }),
    { line: 3, reason: 'jam' },
  );
  expect(out.status).toBe('completed');
  expect(out.output.notified.sent).toEqual([
    { channel: 'slack', to: svc.host },
    { channel: 'teams', to: svc.host },
  ]);
  const [slack, teams] = svc.requests;
  expect(slack?.url).toBe('/services/T000/B000/secret');
  expect(slack?.headers['content-type']).toBe('application/json');
  expect(slack?.headers['idempotency-key']).toBe(`${out.id}:notify:0`);
  expect(JSON.parse(slack!.body)).toEqual({
    text: 'Line 3 stopped\nReason: jam',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Line 3 stopped' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Reason: jam' } },
    ],
  });
  expect(teams?.url).toBe('/webhookb2/team-secret');
  const card = JSON.parse(teams!.body);
  expect(card).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
  expect(card.attachments[0].content).toMatchObject({
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: 'Line 3 stopped', weight: 'Bolder' },
      { type: 'TextBlock', text: 'Reason: jam', wrap: true },
    ],
  });
});

test('a generic webhook gets subject, message and data as JSON, values keeping their types', async () => {
  const out = await runGraph(
    t,
    notifying({
      channels: ['webhook'],
      subject: 'done',
      message: 'order ${input.orderId}',
      webhookUrl: `${svc.url}/hooks/weft`,
      data: { orderId: '${input.orderId}', total: '${input.total}', lines: ['${input.total * 2}'] },
    }),
    { orderId: 'B-2', total: 10 },
  );
  expect(out.status).toBe('completed');
  expect(svc.requests).toHaveLength(1);
  expect(svc.requests[0]?.method).toBe('POST');
  expect(JSON.parse(svc.requests[0]!.body)).toMatchObject({
    subject: 'done',
    message: 'order B-2',
    data: { orderId: 'B-2', total: 10, lines: [20] },
    executionId: out.id,
    nodeId: 'notify',
  });
});

test('a webhook answering 4xx fails the node with HTTP_<status> at once', async () => {
  svc.handle((_req, res) => json(res, 404, { error: 'no_service' }));
  const out = await runGraph(t, notifying({ channels: ['slack'], message: 'hi', webhookUrl: `${svc.url}/services/x/y/z`, retry: { strategy: 'IMMEDIATE' } }));
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('HTTP_404');
  expect(JSON.stringify(out.error)).not.toContain('/services/x/y/z');
  expect(svc.requests).toHaveLength(1);
});

test('a private webhook URL that is not allow-listed is refused with SSRF_BLOCKED and nothing is sent', async () => {
  const out = await runGraph(t, notifying({ channels: ['webhook'], message: 'hi', webhookUrl: 'http://169.254.169.254/latest/meta-data' }));
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('SSRF_BLOCKED');
  const other = await runGraph(t, notifying({ channels: ['teams'], message: 'hi', webhookUrl: `http://127.0.0.1:${smtp.port}/` }));
  expect(other.error.code).toBe('SSRF_BLOCKED');
  expect((await history(other.id)).attempts).toBe(1);
});

test('recipients resolving to nobody fail with NO_RECIPIENTS, not retried', async () => {
  const out = await runGraph(
    t,
    notifying({
      channels: ['email'],
      recipients: [
        { type: 'group', identifier: 'empty' },
        { type: 'user', identifier: 'dave' },
        { type: 'email', identifier: 'not-an-address' },
      ],
      message: 'hi',
    }),
  );
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('NO_RECIPIENTS');
  expect((await history(out.id)).attempts).toBe(1);
  expect(smtp.messages).toHaveLength(0);
});

test('an SMTP 4xx is retried and every recipient gets the message exactly once', async () => {
  // bob's first delivery is deferred (451) after alice's went through: the retry must not resend to alice.
  smtp.rejectRecipient((to) => (to === 'bob@example.com' && smtp.refused.length === 0 ? { code: 451, message: 'Try again later' } : undefined));
  const out = await runGraph(
    t,
    notifying({
      channels: ['email'],
      recipients: [
        { type: 'user', identifier: 'alice' },
        { type: 'user', identifier: 'bob' },
      ],
      subject: 'retry',
      message: 'once each',
      retry: { maxAttempts: 3, strategy: 'FIXED', initialIntervalMs: 200 },
    }),
  );
  expect(out.status).toBe('completed');
  expect(smtp.refused).toEqual([{ to: 'bob@example.com', code: 451 }]);
  expect(smtp.messages.map((m) => m.to)).toEqual([['alice@example.com'], ['bob@example.com']]);
  expect(out.output.notified.sent.map((s: { to: string }) => s.to)).toEqual(['alice@example.com', 'bob@example.com']);
  expect((await history(out.id)).attempts).toBe(2);
});

test('an SMTP 5xx fails the node with SMTP_ERROR without a retry', async () => {
  smtp.rejectRecipient(() => ({ code: 550, message: 'No such mailbox' }));
  const out = await runGraph(t, notifying({ channels: ['email'], recipients: [{ type: 'user', identifier: 'alice' }], message: 'hi' }));
  expect(out.status).toBe('failed');
  expect(out.error.code).toBe('SMTP_ERROR');
  expect(out.error.message).toContain('550');
  expect(smtp.refused).toHaveLength(1);
  expect(JSON.stringify(out.error)).not.toContain('s3cret');
});

test('email without WEFT_SMTP_URL on the worker fails with NOTIFICATION_NOT_CONFIGURED, not retried', async () => {
  const bare = await startTestWeft();
  try {
    const out = await runGraph(bare, notifying({ channels: ['email'], recipients: [{ type: 'email', identifier: 'a@example.com' }], message: 'hi' }));
    expect(out.status).toBe('failed');
    expect(out.error.code).toBe('NOTIFICATION_NOT_CONFIGURED');
    const node = (await bare.api('GET', `/api/v1/workflow-instances/${out.id}/history`)).body.nodes.find((n: { nodeId: string }) => n.nodeId === 'notify');
    expect(node.attempts).toBe(1);
  } finally {
    await bare.stop();
  }
});

test('an approval step mails its approvers: an escalation notice, then the SLA warning and breach, each its own message', async () => {
  const id = await requestApproval(t, 'carol', {
    type: 'configuration_change',
    title: 'Raise the oven limit',
    chain: {
      steps: [
        {
          id: 'check',
          approvers: [{ type: 'user', identifier: 'alice' }],
          escalation: [{ after: '500ms', action: 'notify', message: 'Still waiting for you' }],
          sla: { target: '2s', warningPercent: 50, breachPercent: 100, notify: true },
        },
      ],
    },
  });
  const deadline = Date.now() + 30_000;
  while (smtp.messages.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(smtp.messages.map((m) => m.to)).toEqual([['alice@example.com'], ['alice@example.com'], ['alice@example.com']]);
  expect(smtp.messages.every((m) => m.headers.subject === 'Approval: Raise the oven limit')).toBe(true);
  expect(smtp.messages[0]?.raw).toContain('Still waiting for you');
  expect(smtp.messages[1]?.raw).toContain('SLA warning in step check');
  expect(smtp.messages[2]?.raw).toContain('SLA breached in step check');
  // A mail client drops a message whose Message-ID it has seen: three notices, three ids.
  expect(new Set(smtp.messages.map((m) => m.headers['message-id'])).size).toBe(3);
  expect((await t.api('POST', `/api/v1/approval-requests/${id}/approve`, {}, { token: t.token(['approver'], 'alice') })).status).toBe(200);
});
