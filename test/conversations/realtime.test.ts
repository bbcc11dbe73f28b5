import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../domain/conversations';
import { freePort } from '../helpers/ports';
import { call, startTestApp, type TestApp, testConfig, testContext } from '../helpers/server';
import {
  attach,
  create,
  insertStructure,
  type Person,
  person,
  pro,
  realtime,
  recorder,
  send,
  struct,
} from './fixtures';

let node1: TestApp;
let node2: TestApp;
let alice: Person;
let bruno: Person;
const clients: Array<{ disconnect(): Promise<void> }> = [];

/** Another server node over the same database and Redis prefix. */
function sibling(port = 0) {
  return startTestApp({
    database: node1.database,
    env: { REDIS_PREFIX: node1.ctx.config.redisPrefix },
    server: { port },
  });
}

beforeAll(async () => {
  node1 = await startTestApp();
  node2 = await sibling();
  alice = await person(node1.ctx, 'Alice', 'Martin');
  bruno = await person(node1.ctx, 'Bruno', 'Petit', { locale: 'en', time_zone: 'UTC' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  await node2.stop();
  await node1.stop();
});

function track<T extends { disconnect(): Promise<void> }>(client: T): T {
  clients.push(client);
  return client;
}

describe('realtime delivery', () => {
  it('delivers new conversations and messages, presented for the reader, across two nodes', async () => {
    // Bruno is connected to node 2; Alice works through node 1.
    const client = track(realtime(node2, bruno));
    const seen = recorder(client);
    await client.connect();

    const created = await create(node1.server, alice.token, [pro(bruno.professionalId)]);
    const id = created.body.conversation.id;
    await seen.until(() => seen.messages.length === 1);
    expect(seen.events.find((e) => e.type === 'conversation')?.payload).toMatchObject({
      reason: 'created',
      conversation: { id, subject: 'Sortie de Mme D.' },
    });

    const reply = await send(node1.server, alice.token, id, 'Vous êtes là ?');
    await seen.until(() => seen.messages.length === 2);
    expect(seen.messages[1]).toMatchObject({ conversationId: id, id: reply.body.id, live: true });

    // His own message, sent through the library: one event, from the response, echo dropped.
    const own = await client.sendMessage(id, { body: 'Oui, je suis là' });
    expect(own).toMatchObject({ mine: true, seq: 3 });
    await send(node1.server, alice.token, id, 'Parfait');
    await seen.until(() => seen.messages.some((m) => m.body === 'Parfait'));
    expect(seen.messages.filter((m) => m.id === own.id)).toHaveLength(1);

    // The event carries Bruno's view: English, his time zone, not his message.
    let last: unknown;
    client.on('message', ({ message }) => {
      last = message;
    });
    await send(node1.server, alice.token, id, 'Encore');
    await seen.until(() => seen.messages.length === 5);
    expect(last).toMatchObject({
      mine: false,
      signature: expect.stringMatching(/^Alice Martin, on \d\d\/\d\d\/\d\d at /),
    });
  });

  it('delivers an event published by a worker (no server in the process)', async () => {
    const client = track(realtime(node2, bruno));
    const seen = recorder(client);
    await client.connect();
    const conv = (await create(node1.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    await seen.until(() => seen.messages.some((m) => m.conversationId === conv.id));
    const config = testConfig(node1.database, { REDIS_PREFIX: node1.ctx.config.redisPrefix });
    const worker = testContext(node1.database, config);
    try {
      await sendMessage(
        worker,
        { accountId: alice.account.id, professionalId: alice.professionalId },
        conv.id,
        { id: randomUUID(), body: 'Depuis un worker' },
      );
      await seen.until(() => seen.messages.some((m) => m.body === 'Depuis un worker'));
    } finally {
      await worker.redis.quit();
    }
  });

  it('delivers read markers and participant changes to the other participants', async () => {
    const carl = await person(node1.ctx, 'Carl', 'Roux');
    const client = track(realtime(node1, alice));
    const seen = recorder(client);
    await client.connect();
    const conv = (await create(node2.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    await call(node2.server, 'POST', `/api/conversations/${conv.id}/read`, {
      token: bruno.token,
      payload: { seq: 1 },
    });
    // Bruno's read receipt (his library may also have sent a delivery receipt before).
    const isRead = (e: { type: string; payload: unknown }) =>
      e.type === 'read' && (e.payload as { lastReadSeq: number }).lastReadSeq === 1;
    await seen.until(() => seen.events.some(isRead));
    expect(seen.events.find(isRead)?.payload).toMatchObject({
      conversationId: conv.id,
      reader: { accountId: bruno.account.id, firstName: 'Bruno' },
      lastReadSeq: 1,
      lastDeliveredSeq: 1,
    });

    const carlClient = track(realtime(node2, carl));
    const carlSeen = recorder(carlClient);
    await carlClient.connect();
    await call(node1.server, 'POST', `/api/conversations/${conv.id}/participants`, {
      token: bruno.token,
      payload: { recipients: [pro(carl.professionalId)] },
    });
    await seen.until(() => seen.events.some((e) => e.type === 'participants'));
    await carlSeen.until(() => carlSeen.events.some((e) => e.type === 'participants'));
    expect(carlSeen.events.find((e) => e.type === 'participants')?.payload).toMatchObject({
      added: [pro(carl.professionalId)],
      conversation: { id: conv.id },
    });
    await send(node1.server, bruno.token, conv.id, 'Bienvenue Carl');
    await carlSeen.until(() => carlSeen.messages.some((m) => m.body === 'Bienvenue Carl'));
  });

  it('reaches every member of a participating structure, and stops at once for a detached one', async () => {
    const team = await insertStructure(node1.ctx, 'HAD Sud');
    const m1 = await person(node1.ctx, 'Maud', 'Un');
    const m2 = await person(node1.ctx, 'Marc', 'Deux');
    await attach(node1.ctx, team, m1.account.id);
    await attach(node1.ctx, team, m2.account.id);
    const c1 = track(realtime(node1, m1));
    const c2 = track(realtime(node2, m2));
    const s1 = recorder(c1);
    const s2 = recorder(c2);
    await Promise.all([c1.connect(), c2.connect()]);
    const conv = (await create(node1.server, alice.token, [struct(team)])).body.conversation;
    await s1.until(() => s1.messages.length === 1);
    await s2.until(() => s2.messages.length === 1);

    await node1.ctx
      .db('structure_members')
      .where({ structure_id: team, account_id: m2.account.id })
      .delete();
    await send(node1.server, alice.token, conv.id, 'Pour l’équipe');
    await s1.until(() => s1.messages.length === 2);
    // m1 got it; give m2 the same chance, then check nothing came.
    await new Promise((r) => setTimeout(r, 150));
    expect(s2.messages.map((m) => m.body)).not.toContain('Pour l’équipe');
  });
});

describe('typing indicators', () => {
  it('reach the other participants only, at most every 3 s per conversation', async () => {
    const hal = await person(node1.ctx, 'Hal', 'Tape');
    const ivy = await person(node1.ctx, 'Ivy', 'Lit');
    const stranger = await person(node1.ctx, 'Jo', 'Ailleurs');
    const [typist, reader, outsider] = [
      track(realtime(node1, hal)),
      track(realtime(node2, ivy)),
      track(realtime(node2, stranger)),
    ];
    const typed: unknown[] = [];
    const echoed: unknown[] = [];
    const leaked: unknown[] = [];
    reader.on('typing', (e) => typed.push(e));
    typist.on('typing', (e) => echoed.push(e));
    outsider.on('typing', (e) => leaked.push(e));
    await Promise.all([typist.connect(), reader.connect(), outsider.connect()]);
    const conv = (await create(node1.server, hal.token, [pro(ivy.professionalId)])).body
      .conversation;
    typist.typing(conv.id);
    typist.typing(conv.id); // throttled
    await recorder(reader).until(() => typed.length === 1);
    expect(typed[0]).toMatchObject({
      type: 'typing',
      conversationId: conv.id,
      reader: { accountId: hal.account.id, firstName: 'Hal' },
    });
    // A stranger typing "in" the conversation is refused and tells no one.
    outsider.typing(conv.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(typed).toHaveLength(1);
    expect(echoed).toEqual([]);
    expect(leaked).toEqual([]);
  });
});

describe('delivery receipts', () => {
  it('acknowledges what the library receives, and the sender sees it received but unread', async () => {
    const gus = await person(node1.ctx, 'Gus', 'Reçu');
    const sender = track(realtime(node1, alice));
    const receiver = track(realtime(node2, gus));
    const senderSeen = recorder(sender);
    const receiverSeen = recorder(receiver);
    await Promise.all([sender.connect(), receiver.connect()]);
    const created = await sender.createConversation({
      subject: 'Reçu ?',
      recipients: [pro(gus.professionalId)],
      message: { body: 'Premier' },
    });
    await receiverSeen.until(() => receiverSeen.messages.length === 1);
    const isReceipt = (e: { type: string; payload: unknown }) =>
      e.type === 'read' &&
      (e.payload as { conversationId: number }).conversationId === created.conversation.id;
    await senderSeen.until(() => senderSeen.events.some(isReceipt));
    expect(senderSeen.events.find(isReceipt)?.payload).toMatchObject({
      reader: { accountId: gus.account.id },
      lastReadSeq: 0,
      lastDeliveredSeq: 1,
    });
    const reads = await sender.api.messageReaders(created.conversation.id, created.message.id);
    expect(reads.deliveredTo.map((r) => r.accountId)).toEqual([gus.account.id]);
    expect(reads.readBy).toEqual([]);
  });
});

describe('nothing lost', () => {
  it('catches up after a server restart: messages sent during the outage, once each', async () => {
    const port = await freePort();
    let node = await sibling(port);
    const client = realtime(node, bruno, { reconnectDelay: 50 });
    const seen = recorder(client);
    await client.connect();
    const conv = (await create(node1.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    await seen.until(() => seen.messages.length === 1);

    let disconnected = false;
    client.on('disconnected', () => {
      disconnected = true;
    });
    await node.stop();
    await seen.until(() => disconnected);
    const during: string[] = [];
    for (const body of ['pendant 1', 'pendant 2', 'pendant 3']) {
      during.push((await send(node1.server, alice.token, conv.id, body)).body.id);
    }
    const fresh = (
      await create(node1.server, alice.token, [pro(bruno.professionalId)], { subject: 'Nouvelle' })
    ).body.conversation;

    const synced = seen.events.filter((e) => e.type === 'synced').length;
    node = await sibling(port);
    try {
      await seen.until(() => seen.events.filter((e) => e.type === 'synced').length > synced, 8000);
      expect(seen.messages.filter((m) => during.includes(m.id)).map((m) => m.body)).toEqual([
        'pendant 1',
        'pendant 2',
        'pendant 3',
      ]);
      expect(seen.messages.every((m) => !during.includes(m.id) || !m.live)).toBe(true);
      expect(
        seen.events.some(
          (e) =>
            e.type === 'conversation' &&
            (e.payload as { conversation: { id: number } }).conversation.id === fresh.id,
        ),
      ).toBe(true);
      // Live again afterwards, and no duplicates overall.
      await send(node1.server, alice.token, conv.id, 'après');
      await seen.until(() => seen.messages.some((m) => m.body === 'après'));
      const ids = seen.messages.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await client.disconnect();
      await node.stop();
    }
  });

  it('tells the app when the session expired while disconnected, and resumes after re-authentication', async () => {
    const dora = await person(node1.ctx, 'Dora', 'Blanc');
    const client = track(realtime(node2, dora));
    const seen = recorder(client);
    await client.connect();
    const conv = (await create(node1.server, alice.token, [pro(dora.professionalId)])).body
      .conversation;
    await seen.until(() => seen.messages.length === 1);

    await node1.ctx
      .db('sessions')
      .where({ account_id: dora.account.id })
      .update({ revoked_at: new Date() });
    node2.server.eachSocket((socket) => {
      socket.disconnect();
    });
    await seen.until(() => seen.events.some((e) => e.type === 'expired'));
    expect(seen.events.find((e) => e.type === 'expired')?.payload).toMatchObject({
      statusCode: 401,
    });
    await send(node1.server, alice.token, conv.id, 'pendant la reconnexion');

    const login = await call(node1.server, 'POST', '/api/auth/login', {
      payload: { email: dora.email, password: dora.password },
    });
    await client.reauthenticate(login.body.token);
    await seen.until(() => seen.messages.some((m) => m.body === 'pendant la reconnexion'));
    await send(node1.server, alice.token, conv.id, 'en direct');
    await seen.until(() => seen.messages.some((m) => m.body === 'en direct' && m.live));
  });

  it('disconnects a connected client whose session is revoked, and says so', async () => {
    const eli = await person(node1.ctx, 'Eli', 'Sortie');
    const client = track(realtime(node2, eli));
    const seen = recorder(client);
    await client.connect();
    const conv = (await create(node1.server, alice.token, [pro(eli.professionalId)])).body
      .conversation;
    await seen.until(() => seen.messages.length === 1);

    const sweep = (
      node2.server.plugins as unknown as Record<string, { sweepSessions(): Promise<number> }>
    )['relais-realtime']!.sweepSessions;
    expect(await sweep()).toBe(0);
    await call(node1.server, 'POST', '/api/auth/logout', { token: eli.token });
    expect(await sweep()).toBe(1);
    await seen.until(() => seen.events.some((e) => e.type === 'expired'));
    await send(node1.server, alice.token, conv.id, 'après la déconnexion');
    await new Promise((r) => setTimeout(r, 150));
    expect(seen.messages.map((m) => m.body)).not.toContain('après la déconnexion');
  });
});

describe('first connection', () => {
  it('fails cleanly when the server is down, and a later connect() works', async () => {
    const port = await freePort();
    const fay = await person(node1.ctx, 'Fay', 'Tôt');
    const client = new (await import('../../web/src/client')).RealtimeClient({
      baseUrl: `http://127.0.0.1:${port}`,
      token: fay.token,
      accountId: fay.account.id,
      WebSocket: (await import('ws')).default,
      reconnectDelay: 20,
    });
    await expect(client.connect()).rejects.toBeTruthy();
    const node = await sibling(port);
    try {
      const seen = recorder(client);
      await client.connect();
      await create(node1.server, alice.token, [pro(fay.professionalId)]);
      await seen.until(() => seen.messages.length === 1);
    } finally {
      await client.disconnect();
      await node.stop();
    }
  });
});
