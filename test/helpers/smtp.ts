import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/**
 * A real SMTP server in the test process (smtp-server): counts what it accepted, and can
 * reject recipients, fail transiently, or hold a message before acknowledging it (so that a
 * test can kill the sender in the middle of a transaction).
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | null;
  subject: string | null;
  /** The body with quoted-printable soft breaks and escapes decoded (good enough to search). */
  decoded: string;
}

export interface SmtpBehaviour {
  /** Reply code for a recipient (e.g. 550 for an unknown mailbox); undefined accepts. */
  rcptCode?(address: string): number | undefined;
  /** Reply code after DATA (e.g. 451 for a transient failure); undefined accepts. */
  dataCode?(mail: ReceivedMail): number | undefined;
  /** Awaited before a message is acknowledged. */
  beforeAccept?(mail: ReceivedMail): Promise<void>;
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  behaviour: SmtpBehaviour;
  close(): Promise<void>;
}

function decodeQp(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/(?:=[0-9A-F]{2})+/g, (seq) => {
    const bytes = Buffer.from(
      seq
        .split('=')
        .slice(1)
        .map((h) => Number.parseInt(h, 16)),
    );
    return bytes.toString('utf8');
  });
}

function decodeHeader(value: string | null): string | null {
  if (!value) return value;
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQp(text.replace(/_/g, ' ')),
  );
}

export async function startSmtp(behaviour: SmtpBehaviour = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const state = { behaviour };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = state.behaviour.rcptCode?.(address.address);
      if (code) {
        const err = Object.assign(new Error(`mailbox ${address.address} rejected`), {
          responseCode: code,
        });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headerEnd = raw.indexOf('\r\n\r\n');
        const head = raw.slice(0, headerEnd).replace(/\r\n[ \t]+/g, ' ');
        const header = (name: string) =>
          new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: header('Message-ID'),
          subject: decodeHeader(header('Subject')),
          decoded: decodeQp(raw),
        };
        try {
          const code = state.behaviour.dataCode?.(mail);
          if (code) {
            return callback(
              Object.assign(new Error('try again later'), { responseCode: code }) as Error,
            );
          }
          await state.behaviour.beforeAccept?.(mail);
          received.push(mail);
          callback();
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: SmtpBehaviour) {
      state.behaviour = b;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
