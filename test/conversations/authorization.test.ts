import * as NesModule from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { call, startTestApp, type TestApp } from '../helpers/server';
import {
  attach,
  conversationRoutes,
  conversationState,
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

type NesClient = import('@hapi/nes/lib/client').Client;
const nes = NesModule as unknown as { Client?: unknown; default?: { Client: unknown } };
const Client = (nes.Client ?? nes.default?.Client) as new (url: string) => NesClient;
(Client as unknown as { WebSocket: unknown }).WebSocket = WebSocket;

let app: TestApp;
let alice: Person;
let bruno: Person;
let member: Person;
let outsider: Person;
let otherMember: Person;
let unit: number;
let other: number;
let conversationId: number;
let messageId: string;

beforeAll(async () => {
  app = await startTestApp();
  [alice, bruno, member, outsider, otherMember] = await Promise.all([
    person(app.ctx, 'Alice', 'Martin'),
    person(app.ctx, 'Bruno', 'Petit'),
    person(app.ctx, 'Maud', 'Membre'),
    person(app.ctx, 'Eve', 'Dehors'),
    person(app.ctx, 'Sam', 'Ailleurs'),
  ]);
  unit = await insertStructure(app.ctx, 'Unité A');
  other = await insertStructure(app.ctx, 'Unité B');
  await attach(app.ctx, unit, member.account.id);
  await attach(app.ctx, other, otherMember.account.id);
  const created = await create(app.server, alice.token, [pro(bruno.professionalId), struct(unit)]);
  conversationId = created.body.conversation.id;
  messageId = created.body.message.id;
});
afterAll(() => app.stop());

describe('who may see a conversation', () => {
  it.each([
    ['a non-participant', () => outsider.token, 404],
    ['a member of another structure', () => otherMember.token, 404],
    ['an anonymous caller', () => undefined, 401],
  ])('refuses every endpoint to %s, changing nothing', async (_who, token, status) => {
    const before = await conversationState(app.ctx, conversationId);
    for (const [method, url, payload] of conversationRoutes(
      conversationId,
      messageId,
      outsider.professionalId,
    )) {
      const res = await call(app.server, method, url, { token: token(), payload });
      expect(res.statusCode, `${method} ${url}`).toBe(status);
    }
    expect(await conversationState(app.ctx, conversationId)).toEqual(before);
  });

  it('leaves the conversation out of their lists and duplicate checks', async () => {
    for (const user of [outsider, otherMember]) {
      const list = await call(app.server, 'GET', '/api/conversations', { token: user.token });
      expect(list.body.conversations).toEqual([]);
      const existing = await call(
        app.server,
        'GET',
        `/api/conversations/existing?professional=${alice.professionalId}&professional=${bruno.professionalId}&structure=${unit}`,
        { token: user.token },
      );
      expect(existing.body.count).toBe(0);
    }
    const anonymous = await call(app.server, 'GET', '/api/conversations');
    expect(anonymous.statusCode).toBe(401);
  });

  it('lets a member answer only for a structure they are attached to', async () => {
    const asOther = await send(app.server, member.token, conversationId, 'x', {
      onBehalfOf: other,
    });
    expect(asOther.statusCode).toBe(403);
    const asUnit = await send(app.server, member.token, conversationId, 'Unité A répond', {
      onBehalfOf: unit,
    });
    expect(asUnit.statusCode).toBe(201);
    const created = await create(app.server, otherMember.token, [pro(alice.professionalId)], {
      onBehalfOf: unit,
    });
    expect(created.statusCode).toBe(400);
    expect(created.body.field).toBe('onBehalfOf');
  });
});

describe('who may receive its events', () => {
  it('refuses a subscription to someone else’s path, and an anonymous one', async () => {
    const intruder = new Client(app.url.replace('http', 'ws'));
    await intruder.connect({
      auth: { headers: { authorization: `Bearer ${outsider.token}` } },
      reconnect: false,
    });
    await expect(
      intruder.subscribe(`/users/${alice.account.id}`, () => undefined),
    ).rejects.toMatchObject({
      statusCode: 403,
    });
    await intruder.disconnect();

    // Without a token the hello itself is refused, subscription included.
    const anonymous = new Client(app.url.replace('http', 'ws'));
    anonymous.onError = () => undefined;
    void anonymous.subscribe(`/users/${alice.account.id}`, () => undefined).catch(() => undefined);
    await expect(anonymous.connect({ reconnect: false })).rejects.toMatchObject({
      statusCode: 401,
    });
    await anonymous.disconnect();
  });

  it('delivers nothing about the conversation to outsiders and other structures’ members', async () => {
    const watchers = [outsider, otherMember].map((user) => {
      const client = realtime(app, user);
      return { client, seen: recorder(client) };
    });
    const insider = realtime(app, member);
    const insiderSeen = recorder(insider);
    await Promise.all([...watchers.map((w) => w.client.connect()), insider.connect()]);
    try {
      await send(app.server, alice.token, conversationId, 'confidentiel');
      await call(app.server, 'POST', `/api/conversations/${conversationId}/read`, {
        token: bruno.token,
        payload: { seq: 99 },
      });
      const third = await person(app.ctx, 'Tom', 'Tiers');
      await call(app.server, 'POST', `/api/conversations/${conversationId}/participants`, {
        token: alice.token,
        payload: { recipients: [pro(third.professionalId)] },
      });
      // The insider on the same node receives all three: the events did flow.
      await insiderSeen.until(
        () =>
          insiderSeen.messages.some((m) => m.body === 'confidentiel') &&
          insiderSeen.events.some((e) => e.type === 'read') &&
          insiderSeen.events.some((e) => e.type === 'participants'),
      );
      await new Promise((r) => setTimeout(r, 100));
      for (const { seen } of watchers) {
        expect(seen.messages).toEqual([]);
        expect(seen.events.filter((e) => e.type !== 'synced')).toEqual([]);
      }
    } finally {
      await Promise.all([...watchers.map((w) => w.client.disconnect()), insider.disconnect()]);
    }
  });
});
