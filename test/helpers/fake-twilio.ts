import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * A local stand-in for Twilio's REST API, enough for the official client: create a
 * message (form-encoded POST) and list messages by recipient. Tests script failures with
 * `respond` (status + Twilio error code) and read what was "sent".
 */
export interface FakeSms {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  dateCreated: Date;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  sent: FakeSms[];
  requests: number;
  /** Return a response to force (e.g. { status: 400, code: 21211 }), or undefined to accept. */
  respond?: (to: string) => { status: number; code: number; message?: string } | undefined;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function present(m: FakeSms, accountSid: string) {
  return {
    sid: m.sid,
    account_sid: accountSid,
    to: m.to,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    body: m.body,
    status: 'queued',
    num_segments: '1',
    direction: 'outbound-api',
    date_created: m.dateCreated.toUTCString(),
    date_updated: m.dateCreated.toUTCString(),
    date_sent: m.dateCreated.toUTCString(),
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
  };
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const fake: FakeTwilio = {
    url: '',
    accountSid,
    authToken,
    sent: [],
    requests: 0,
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    fake.requests++;
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return send(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    if (url.pathname !== path) return send(404, { code: 20404, message: 'Not found', status: 404 });
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const to = form.get('To') ?? '';
      const forced = fake.respond?.(to);
      if (forced) {
        return send(forced.status, {
          code: forced.code,
          message: forced.message ?? `error ${forced.code}`,
          more_info: `https://www.twilio.com/docs/errors/${forced.code}`,
          status: forced.status,
        });
      }
      const message: FakeSms = {
        sid: `SM${randomBytes(16).toString('hex')}`,
        to,
        from: form.get('From'),
        messagingServiceSid: form.get('MessagingServiceSid'),
        body: form.get('Body') ?? '',
        statusCallback: form.get('StatusCallback'),
        dateCreated: new Date(),
      };
      fake.sent.push(message);
      return send(201, present(message, accountSid));
    }
    if (req.method === 'GET') {
      const to = url.searchParams.get('To');
      const list = fake.sent.filter((m) => !to || m.to === to);
      return send(200, {
        messages: list.map((m) => present(m, accountSid)),
        end: list.length ? list.length - 1 : 0,
        first_page_uri: path,
        next_page_uri: null,
        page: 0,
        page_size: 50,
        previous_page_uri: null,
        start: 0,
        uri: path,
      });
    }
    send(405, { code: 20004, message: 'Method not allowed', status: 405 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
