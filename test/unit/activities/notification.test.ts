/** NOTIFICATION's pure parts: properties schema, template locations, payload shapes, Message-IDs, settings. */
import { loadSettings } from '../../../src/config/settings';
import { messageIdFor } from '../../../src/activities/notification/email';
import { isEmailAddress } from '../../../src/activities/notification/recipients';
import { slackPayload, teamsPayload, webhookHost } from '../../../src/activities/notification/webhooks';
import type { WeftError } from '../../../src/graph/errors';
import { nodeSpec, parseNodeProperties } from '../../../src/graph/node-types';

const source = { executionId: 'e', definitionId: 'd', nodeId: 'n', iteration: 0 };

function issuePaths(properties: unknown): string[] {
  try {
    parseNodeProperties('NOTIFICATION', properties);
    return [];
  } catch (err) {
    return ((err as WeftError).issues ?? []).map((i) => `${i.path} ${i.message}`);
  }
}

describe('NOTIFICATION properties', () => {
  it('apply defaults and the common side-effect properties', () => {
    const p = parseNodeProperties('NOTIFICATION', { channels: ['webhook'], message: 'hi', webhookUrl: 'https://x.test/h' });
    expect(p).toMatchObject({ recipients: [], subject: '', timeoutMs: 30_000, continueOnError: false });
    expect(nodeSpec('NOTIFICATION').activity).toBe('sendNotification');
    expect(nodeSpec('NOTIFICATION').sideEffect).toBe(true);
  });

  it('need recipients for email and a URL for each webhook channel', () => {
    expect(issuePaths({ channels: ['email', 'slack'], message: 'hi' })).toEqual([
      '/recipients the email channel needs at least one recipient',
      '/webhookUrl the slack channel needs a webhookUrl',
    ]);
    expect(issuePaths({ channels: ['slack', 'teams'], message: 'hi', webhookUrl: { slack: 'https://s.test/x' } })).toEqual([
      '/webhookUrl the teams channel needs a webhookUrl',
    ]);
    expect(issuePaths({ channels: ['sms'], message: 'hi' })).toHaveLength(1);
    expect(issuePaths({ channels: ['email'], message: 'hi', recipients: [{ type: 'dynamic', identifier: 'x' }] })).toHaveLength(1);
  });

  it('name every template, recipients and data included', () => {
    const fields = nodeSpec('NOTIFICATION').expressionFields({
      channels: ['email'],
      subject: 's',
      message: 'm',
      webhookUrl: { teams: 'u' },
      recipients: [{ type: 'user', identifier: '${input.who}' }],
      data: { a: ['x'] },
    });
    expect(fields.map((f) => `${f.kind} ${f.pointer}`)).toEqual([
      'template /subject',
      'template /message',
      'template /webhookUrl/teams',
      'template /recipients/0/identifier',
      'template /data/a/0',
    ]);
  });
});

describe('NOTIFICATION payloads', () => {
  it('Slack: text for notifications, a header and a section within Slack limits', () => {
    const long = 'x'.repeat(200);
    const p = slackPayload({ subject: long, message: 'body', source });
    expect(p.text).toBe(`${long}\nbody`);
    expect((p.blocks[0] as { text: { text: string } }).text.text).toHaveLength(150);
    expect(slackPayload({ subject: '', message: 'only', source })).toEqual({
      text: 'only',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'only' } }],
    });
  });

  it('Teams: a message with one Adaptive Card', () => {
    const p = teamsPayload({ subject: 'S', message: 'M', source });
    expect(p.type).toBe('message');
    expect(p.attachments).toEqual([expect.objectContaining({ contentType: 'application/vnd.microsoft.card.adaptive' })]);
  });

  it('webhook hosts hide the secret path', () => {
    expect(webhookHost('https://hooks.slack.com/services/T0/B0/secret')).toBe('hooks.slack.com');
    expect(webhookHost('not a url')).toBe('invalid URL');
  });
});

describe('NOTIFICATION email', () => {
  it('derives a stable Message-ID per node run and recipient', () => {
    const a = messageIdFor('exec-1:n:0', 'a@x.test', 'Weft <weft@example.com>');
    expect(a).toMatch(/^<[0-9a-f]{40}@example\.com>$/);
    expect(messageIdFor('exec-1:n:0', 'A@x.test', 'weft@example.com')).toBe(a);
    expect(messageIdFor('exec-1:n:1', 'a@x.test', 'weft@example.com')).not.toBe(a);
  });

  it('accepts one plain address only (no header smuggling)', () => {
    expect(isEmailAddress('a.b+c@example.com')).toBe(true);
    for (const bad of ['a@b.test, c@d.test', 'a@b.test\r\nBcc: c@d.test', 'Name <a@b.test>', 'nobody']) expect(isEmailAddress(bad)).toBe(false);
  });

  it('settings: WEFT_SMTP_URL must be smtp:// or smtps://', () => {
    expect(loadSettings({ WEFT_SMTP_URL: 'smtp://u:p@mail.test:587', WEFT_MAIL_FROM: 'w@x.test' })).toMatchObject({
      smtpUrl: 'smtp://u:p@mail.test:587',
      mailFrom: 'w@x.test',
    });
    expect(() => loadSettings({ WEFT_SMTP_URL: 'http://mail.test' })).toThrow(/WEFT_SMTP_URL/);
  });
});
