import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { NodeCallError } from '../../domain/node-call-error';

/** Where NOTIFICATION email goes: WEFT_SMTP_URL (credentials inside: never log it) and WEFT_MAIL_FROM. */
export interface MailSettings {
  smtpUrl: string;
  from: string;
}

/** One email to one address. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The node run's idempotency key: the Message-ID derives from it, so a resend is recognisable. */
  idempotencyKey: string;
}

/** Sends NOTIFICATION email over SMTP, one connection per node run. */
export interface Mailer {
  /** @returns the Message-ID. @throws NodeCallError SMTP_ERROR */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

/**
 * The Message-ID of the mail for `to` in the node run `idempotencyKey`: the same on every retry,
 * so a receiver (or a mailbox) that saw it already can drop the copy.
 */
export function messageIdFor(idempotencyKey: string, to: string, from: string): string {
  const hash = createHash('sha256').update(`${idempotencyKey}\n${to.toLowerCase()}`).digest('hex').slice(0, 40);
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'weft.invalid';
  return `<${hash}@${domain}>`;
}

/**
 * SMTP replies 4xx for trouble that passes (greylisting, a full queue) and 5xx for a refusal
 * that stays; without a reply (connection lost, timeout) a retry may help too.
 */
function classify(err: unknown): NodeCallError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const retryable = reply === undefined ? e.code !== 'EENVELOPE' && e.code !== 'EAUTH' : reply < 500;
  // nodemailer's messages quote the server's reply, never the credentials.
  return new NodeCallError('SMTP_ERROR', `SMTP: ${e.message ?? String(err)}`, retryable, reply);
}

/** A mailer over `settings.smtpUrl`, each exchange bounded by `timeoutMs`. */
export function createMailer(settings: MailSettings, timeoutMs: number): Mailer {
  const url = new URL(settings.smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
  return {
    async send(mail) {
      const messageId = messageIdFor(mail.idempotencyKey, mail.to, settings.from);
      try {
        await transport.sendMail({
          from: settings.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html === undefined ? {} : { html: mail.html }),
          messageId,
          headers: { 'Idempotency-Key': mail.idempotencyKey },
        });
      } catch (err) {
        throw classify(err);
      }
      return messageId;
    },
    close: () => transport.close(),
  };
}
