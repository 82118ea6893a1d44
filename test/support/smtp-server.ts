import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message as the server received it. */
export interface RecordedMail {
  /** The user that authenticated. */
  user: string | undefined;
  from: string;
  to: string[];
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  raw: string;
}

/** An SMTP reply the server sends instead of accepting a recipient. */
export interface SmtpRejection {
  code: number;
  message: string;
}

/** A real SMTP server on loopback (PLAIN/LOGIN auth required, no TLS) recording every message. */
export interface FakeSmtp {
  port: number;
  /** `smtp://user:pass@127.0.0.1:port`. */
  url: string;
  messages: RecordedMail[];
  /** Recipients refused so far (address and code). */
  refused: Array<{ to: string; code: number }>;
  /** Decides, for each RCPT TO, whether to refuse it; undefined accepts. */
  rejectRecipient(fn: ((address: string) => SmtpRejection | undefined) | undefined): void;
  close(): Promise<void>;
}

function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

export async function startFakeSmtp(credentials: { user: string; pass: string }): Promise<FakeSmtp> {
  const messages: RecordedMail[] = [];
  const refused: FakeSmtp['refused'] = [];
  let rejecter: ((address: string) => SmtpRejection | undefined) | undefined;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const rejection = rejecter?.(address.address);
      if (!rejection) return callback();
      refused.push({ to: address.address, code: rejection.code });
      return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        messages.push({ user: session.user as string | undefined, from, to: session.envelope.rcptTo.map((r) => r.address), headers: parseHeaders(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@127.0.0.1:${port}`,
    messages,
    refused,
    rejectRecipient(fn) {
      rejecter = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
