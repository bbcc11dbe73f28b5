import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  attach,
  create,
  insertStructure,
  type Person,
  person,
  pro,
  send,
  struct,
} from '../conversations/fixtures';
import { until } from '../helpers/ports';
import { call, startTestApp, type TestApp } from '../helpers/server';
import { createBot, createToken } from './fixtures';

/**
 * The realtime channel takes bot tokens like session tokens: the bot receives the events of
 * its conversations only, and its socket closes as soon as its token is revoked or the bot
 * disabled, on every node (two nodes here, as in test/server/realtime-sessions.test.ts).
 */

(Nes.Client as unknown as { WebSocket: unknown }).WebSocket = WebSocket;

let node1: TestApp;
let node2: TestApp;
let alice: Person;
let manager: Person;
let unit: number;
let botId: number;
const open: Array<InstanceType<typeof Nes.Client>> = [];

beforeAll(async () => {
  node1 = await startTestApp();
  node2 = await startTestApp({
    database: node1.database,
    env: { REDIS_PREFIX: node1.ctx.config.redisPrefix },
  });
  [alice, manager] = await Promise.all([
    person(node1.ctx, 'Alice', 'Martin'),
    person(node1.ctx, 'Marc', 'Chef'),
  ]);
  unit = await insertStructure(node1.ctx, 'DAC SESAN');
  await attach(node1.ctx, unit, manager.account.id, 'manager');
  botId = await createBot(node1.server, manager.token, { name: 'Bot de garde', structureId: unit });
});
afterAll(async () => {
  await Promise.all(open.map((client) => client.disconnect()));
  await node2.stop();
  await node1.stop();
});

const wsUrl = (app: TestApp): `ws://${string}` => `ws://${app.url.slice('http://'.length)}`;

/** A nes client of the bot, subscribed to its events, recording them and its closing. */
async function connect(app: TestApp, token: string) {
  const client = new Nes.Client(wsUrl(app));
  open.push(client);
  const events: Array<{ type: string; conversationId?: number; message?: { body: string } }> = [];
  const state = { closedAt: null as number | null };
  client.onDisconnect = () => {
    state.closedAt ??= Date.now();
  };
  await client.connect({
    auth: { headers: { authorization: `Bearer ${token}` } },
    reconnect: false,
  });
  await client.subscribe(`/users/${botId}`, (event) => {
    events.push(event as (typeof events)[number]);
  });
  return { client, events, state };
}

const bodies = (events: Array<{ type: string; message?: { body: string } }>) =>
  events.filter((e) => e.type === 'message.created').map((e) => e.message?.body);

describe('a bot on the realtime channel', () => {
  it('receives message.created for its conversations only, and makes requests over it', async () => {
    const { secret } = await createToken(node1.server, manager.token, botId);
    const socket = await connect(node2, secret);

    const viaStructure = (await create(node1.server, alice.token, [struct(unit)])).body.conversation
      .id;
    const direct = (await create(node1.server, alice.token, [{ kind: 'account', id: botId }])).body
      .conversation.id;
    const bruno = await person(node1.ctx, 'Bruno', 'Petit');
    const privateOne = (await create(node1.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation.id;

    await send(node1.server, alice.token, privateOne, 'secret');
    await send(node1.server, alice.token, viaStructure, 'pour la structure');
    await send(node1.server, alice.token, direct, 'pour le bot');
    await until(
      () =>
        bodies(socket.events).includes('pour la structure') &&
        bodies(socket.events).includes('pour le bot'),
      3000,
      'messages delivered to the bot',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(bodies(socket.events)).not.toContain('secret');
    expect(socket.events.every((e) => e.conversationId !== privateOne)).toBe(true);

    // nes requests go through the same scope rules as REST.
    const listed = await socket.client.request('/api/conversations');
    expect(listed.statusCode).toBe(200);
    await expect(socket.client.request('/api/me')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('closes on every node within a second when its token is revoked; reconnecting is refused', async () => {
    const { secret, id } = await createToken(node1.server, manager.token, botId);
    const socket = await connect(node2, secret);
    const t0 = Date.now();
    const res = await call(node1.server, 'DELETE', `/api/bots/${botId}/tokens/${id}`, {
      token: manager.token,
    });
    expect(res.statusCode).toBe(204);
    await until(() => socket.state.closedAt !== null, 1000, 'socket closed after revocation');
    expect(socket.state.closedAt! - t0).toBeLessThan(1000);

    const again = new Nes.Client(wsUrl(node2));
    open.push(again);
    again.onError = () => undefined;
    await expect(
      again.connect({ auth: { headers: { authorization: `Bearer ${secret}` } }, reconnect: false }),
    ).rejects.toMatchObject({ statusCode: 401 });
  });

  it('closes when the bot is disabled', async () => {
    const tokens = await call(node1.server, 'GET', `/api/bots/${botId}/tokens`, {
      token: manager.token,
    });
    for (const t of tokens.body.tokens.filter((t: { revokedAt: unknown }) => !t.revokedAt)) {
      await call(node1.server, 'DELETE', `/api/bots/${botId}/tokens/${t.id}`, {
        token: manager.token,
      });
    }
    const { secret } = await createToken(node1.server, manager.token, botId);
    const socket = await connect(node1, secret);
    await call(node1.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { disabled: true },
    });
    await until(() => socket.state.closedAt !== null, 1000, 'socket closed after disabling');
    await call(node1.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { disabled: false },
    });
  });

  it('is left open by the periodic sweep while its token is valid, closed by it once not', async () => {
    // Another bot: sockets of an account disabled in the last minute are refused (the
    // memory that catches a hello racing its sign-out, server/plugins/realtime-sessions.ts).
    botId = await createBot(node1.server, manager.token, { name: 'Veilleur', structureId: unit });
    const { secret, id } = await createToken(node1.server, manager.token, botId);
    const socket = await connect(node1, secret);
    const sweep = (
      node1.server.plugins as unknown as Record<string, { sweepSessions(): Promise<number> }>
    )['relais-realtime'];
    expect(await sweep.sweepSessions()).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(socket.state.closedAt).toBeNull();
    // Revoked behind the API's back (no control message): the sweep is the safety net.
    await node1.ctx.db('bot_tokens').where({ id }).update({ revoked_at: new Date() });
    expect(await sweep.sweepSessions()).toBe(1);
    await until(() => socket.state.closedAt !== null, 1000, 'socket closed by the sweep');
  });
});
