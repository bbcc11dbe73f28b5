import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publishEvent } from '../../domain/realtime';
import { until } from '../helpers/ports';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';

/**
 * A websocket lives only as long as its session, on every node: sign-out closes it at once
 * wherever it is, expiry closes it on time, and an account holds a bounded number of them.
 */

const MAX_SOCKETS = 3;
let node1: TestApp;
let node2: TestApp;
const open: Array<InstanceType<typeof Nes.Client>> = [];

beforeAll(async () => {
  node1 = await startTestApp({ env: { WS_MAX_SOCKETS_PER_ACCOUNT: String(MAX_SOCKETS) } });
  node2 = await startTestApp({
    database: node1.database,
    env: {
      REDIS_PREFIX: node1.ctx.config.redisPrefix,
      WS_MAX_SOCKETS_PER_ACCOUNT: String(MAX_SOCKETS),
    },
  });
});
afterAll(async () => {
  await Promise.all(open.map((client) => client.disconnect()));
  await node2.stop();
  await node1.stop();
});

const wsUrl = (app: TestApp): `ws://${string}` => `ws://${app.url.slice('http://'.length)}`;
const auth = (user: TestUser) => ({ headers: { authorization: `Bearer ${user.token}` } });

/** A nes client subscribed to its user's events, recording them and its disconnection. */
async function connect(app: TestApp, user: TestUser) {
  const client = new Nes.Client(wsUrl(app));
  open.push(client);
  const events: Array<{ type: string; conversationId?: number }> = [];
  const state = { closedAt: null as number | null };
  client.onDisconnect = () => {
    state.closedAt ??= Date.now();
  };
  await client.connect({ auth: auth(user), reconnect: false });
  await client.subscribe(`/users/${user.account.id}`, (event) => {
    events.push(event as { type: string });
  });
  return { client, events, state };
}

let marker = 0;
/** Publishes a typing event to these accounts; returns its marker. */
async function publishTo(app: TestApp, accountIds: number[]): Promise<number> {
  const conversationId = ++marker;
  await publishEvent(app.ctx, accountIds, {
    type: 'typing',
    conversationId,
    reader: { accountId: 1, firstName: 'A', lastName: 'B' },
  });
  return conversationId;
}

describe('sign-out closes the session’s websockets on every node', () => {
  it('closes the socket on the other node within a second, which then gets nothing', async () => {
    const user = await createUser(node1.ctx);
    const bystander = await createUser(node1.ctx);
    const signedOut = await connect(node2, user);
    const other = await connect(node2, bystander);

    // Live before the sign-out.
    const before = await publishTo(node1, [user.account.id]);
    await until(() => signedOut.events.some((e) => e.conversationId === before), 3000, 'event');

    const t0 = Date.now();
    const res = await call(node1.server, 'POST', '/api/auth/logout', { token: user.token });
    expect(res.statusCode).toBeLessThan(300);
    await until(() => signedOut.state.closedAt !== null, 1000, 'socket closed after sign-out');
    expect(signedOut.state.closedAt! - t0).toBeLessThan(1000);

    // An event for both: the bystander gets it, the signed-out socket does not.
    const after = await publishTo(node1, [user.account.id, bystander.account.id]);
    await until(() => other.events.some((e) => e.conversationId === after), 3000, 'bystander');
    expect(signedOut.events.some((e) => e.conversationId === after)).toBe(false);

    // No more requests over it, and a new socket with the same token is refused.
    await expect(signedOut.client.request('/api/me')).rejects.toThrow();
    const again = new Nes.Client(wsUrl(node2));
    open.push(again);
    await expect(again.connect({ auth: auth(user), reconnect: false })).rejects.toMatchObject({
      statusCode: 401,
    });
    expect(other.state.closedAt).toBeNull();
  });

  it('closes the socket when its session expires', async () => {
    const user = await createUser(node1.ctx);
    await node1.ctx.db.raw(
      `UPDATE sessions SET expires_at = now() + interval '1500 milliseconds' WHERE account_id = ?`,
      [user.account.id],
    );
    const socket = await connect(node2, user);
    expect((await socket.client.request('/api/me')).statusCode).toBe(200);
    await until(() => socket.state.closedAt !== null, 4000, 'socket closed at expiry');
  });
});

describe('sockets per account', () => {
  it('refuses one socket more than the limit of an account, with an error, and closes it', async () => {
    const user = await createUser(node1.ctx);
    const sockets: Array<Awaited<ReturnType<typeof connect>>> = [];
    for (let i = 0; i < MAX_SOCKETS; i++) sockets.push(await connect(node1, user));

    // One more: the hello is answered with 429 and the server closes the socket.
    const ws = new WebSocket(wsUrl(node1));
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    const answer = new Promise<{ statusCode?: number; type?: string }>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', id: 1, version: '2', auth: auth(user) }));
    expect(await answer).toMatchObject({ type: 'hello', statusCode: 429 });
    await closed;

    // Someone else is not affected; closing one socket makes room again.
    const other = await createUser(node1.ctx);
    await connect(node1, other);
    await sockets[0]!.client.disconnect();
    await until(() => sockets[0]!.state.closedAt !== null, 1000, 'closed');
    let admitted = false;
    const deadline = Date.now() + 2000;
    while (!admitted && Date.now() < deadline) {
      // The server forgets the closed socket once its close handshake completes.
      admitted = await connect(node1, user).then(
        () => true,
        () => false,
      );
    }
    expect(admitted).toBe(true);
  });

  it('refuses re-authentication on an open socket (its identity is fixed)', async () => {
    const user = await createUser(node1.ctx);
    const other = await createUser(node1.ctx);
    const socket = await connect(node1, user);
    await expect(socket.client.reauthenticate(auth(other))).rejects.toMatchObject({
      statusCode: 400,
    });
    const me = await socket.client.request('/api/me');
    expect((me.payload as { id: number }).id).toBe(user.account.id);
  });
});
