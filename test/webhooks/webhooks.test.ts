import type { Worker } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWebhookQueues } from '../../domain/webhooks';
import { startWebhookWorker } from '../../workers/webhooks';
import { createBot, createToken } from '../bots/fixtures';
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
import { call, startTestApp, type TestApp } from '../helpers/server';
import { type Receiver, startReceiver, until } from './fixtures';

/**
 * Webhooks end to end (issue 12, docs/bots.md "Webhooks"): real PostgreSQL, Redis, a
 * BullMQ worker and HTTP receivers on loopback (allowed here by WEBHOOK_ALLOWED_HOSTS, as an
 * operator would). Retries use a 300 ms base delay without jitter (worker options), and
 * three tries per event.
 */
let app: TestApp;
let worker: Worker;
let alice: Person;
let manager: Person;
let bystander: Person;
const receivers: Receiver[] = [];

beforeAll(async () => {
  app = await startTestApp({
    env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_ATTEMPTS: '3' },
  });
  worker = startWebhookWorker(app.ctx, { backoff: { baseDelayMs: 300, jitter: 0 } });
  await worker.waitUntilReady();
  [alice, manager, bystander] = await Promise.all([
    person(app.ctx, 'Alice', 'Martin'),
    person(app.ctx, 'Marc', 'Chef'),
    person(app.ctx, 'Sam', 'Ailleurs'),
  ]);
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await closeWebhookQueues(app.ctx);
  await Promise.all(receivers.map((r) => r.close()));
  await app?.stop();
});

/** A structure with a bot attached to it, a receiver and a webhook; and a conversation. */
async function setup(name: string) {
  const unit = await insertStructure(app.ctx, `Unité ${name}`);
  await attach(app.ctx, unit, manager.account.id, 'manager');
  const botId = await createBot(app.server, manager.token, { name, structureId: unit });
  const receiver = await startReceiver();
  receivers.push(receiver);
  const put = await call(app.server, 'PUT', `/api/bots/${botId}/webhook`, {
    token: manager.token,
    payload: { url: receiver.url },
  });
  expect(put.statusCode, put.payload).toBe(201);
  expect(put.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const conversation = (await create(app.server, alice.token, [struct(unit)])).body.conversation.id;
  // conversation.created is the first event: wait for it, then start afresh.
  await until(async () => receiver.requests.length >= 1);
  receiver.requests.length = 0;
  return { unit, botId, receiver, secret: put.body.secret as string, conversation };
}

const event = (r: { body: string }) => JSON.parse(r.body);

describe('a signed webhook', () => {
  it('delivers message.created, verified by standardwebhooks; a tampered or stale one is refused', async () => {
    const { receiver, secret, conversation, botId } = await setup('Signé');
    const sent = await send(app.server, alice.token, conversation, 'Résultat disponible');
    expect(sent.statusCode).toBe(201);
    const [got] = await until(async () => receiver.requests.length > 0 && receiver.requests);
    const wh = new Webhook(secret);
    const headers = {
      'webhook-id': String(got!.headers['webhook-id']),
      'webhook-timestamp': String(got!.headers['webhook-timestamp']),
      'webhook-signature': String(got!.headers['webhook-signature']),
    };
    const verified = wh.verify(got!.body, headers) as {
      type: string;
      data: { conversationId?: number; conversation?: { id: number }; message?: { body: string } };
    };
    expect(verified.type).toBe('message.created');
    expect(verified.data.message?.body).toBe('Résultat disponible');
    expect(verified.data.conversationId).toBe(conversation);
    expect(headers['webhook-id']).toMatch(/^evt_\d+$/);
    expect(got!.headers['content-type']).toBe('application/json');

    expect(() => wh.verify(got!.body.replace('disponible', 'falsifié'), headers)).toThrow();
    const stale = {
      ...headers,
      'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 600),
    };
    expect(() => wh.verify(got!.body, stale)).toThrow(/timestamp/i);

    // The bot's own message is not sent back to it.
    const bot = await createToken(app.server, manager.token, botId, ['messages:write']);
    expect((await send(app.server, bot.secret, conversation, 'Pris en compte')).statusCode).toBe(
      201,
    );
    await send(app.server, alice.token, conversation, 'Merci');
    await until(async () => receiver.requests.length >= 2);
    expect(receiver.requests.map((r) => event(r).data.message.body)).toEqual([
      'Résultat disponible',
      'Merci',
    ]);
  });

  it('is signed with every valid secret during a rotation', async () => {
    const { receiver, secret, conversation, botId } = await setup('Rotation');
    const rotated = await call(app.server, 'POST', `/api/bots/${botId}/webhook/secrets`, {
      token: manager.token,
      payload: {},
    });
    expect(rotated.statusCode).toBe(201);
    const next: string = rotated.body.secret;
    await send(app.server, alice.token, conversation, 'Pendant la rotation');
    const [got] = await until(async () => receiver.requests.length > 0 && receiver.requests);
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [
        h,
        String(got!.headers[h]),
      ]),
    );
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(got!.body, headers)).not.toThrow();
    expect(() => new Webhook(next).verify(got!.body, headers)).not.toThrow();

    // The old one revoked: only the new one signs.
    const view = await call(app.server, 'GET', `/api/bots/${botId}/webhook`, {
      token: manager.token,
    });
    const old = view.body.secrets.find((s: { id: number }) => s.id !== rotated.body.id);
    expect(JSON.stringify(view.body)).not.toContain(secret);
    expect(
      (
        await call(app.server, 'DELETE', `/api/bots/${botId}/webhook/secrets/${old.id}`, {
          token: manager.token,
        })
      ).statusCode,
    ).toBe(204);
    await send(app.server, alice.token, conversation, 'Après');
    const later = await until(async () => receiver.requests.length >= 2 && receiver.requests[1]);
    const h2 = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [
        h,
        String(later.headers[h]),
      ]),
    );
    expect(() => new Webhook(next).verify(later.body, h2)).not.toThrow();
    expect(() => new Webhook(secret).verify(later.body, h2)).toThrow();
  });
});

describe('retries', () => {
  it('retry with exponential backoff, the same webhook-id, every attempt logged', async () => {
    const { receiver, conversation, botId } = await setup('Retry');
    receiver.respond = (_r, n) => ({ status: n <= 2 ? 500 : 200 });
    await send(app.server, alice.token, conversation, 'Encore');
    await until(async () => receiver.requests.length >= 3);
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [a, b, c] = receiver.requests.map((r) => r.at);
    // 300 ms then 600 ms (no jitter here); a loaded machine only makes them longer.
    expect(b! - a!).toBeGreaterThanOrEqual(250);
    expect(c! - b!).toBeGreaterThanOrEqual(550);
    const log = await until(async () => {
      const res = await call(app.server, 'GET', `/api/bots/${botId}/deliveries`, {
        token: manager.token,
      });
      const mine = res.body.deliveries.filter((d: { webhookId: string }) => ids.has(d.webhookId));
      return mine.length === 3 && mine;
    });
    expect(log.map((d: { statusCode: number }) => d.statusCode)).toEqual([200, 500, 500]);
    expect(log.map((d: { attempt: number }) => d.attempt)).toEqual([3, 2, 1]);
    expect(log[1].error).toContain('HTTP 500');
    expect(log[0].durationMs).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.requests).toHaveLength(3); // delivered: never sent again
  });

  it('honour Retry-After on 429', async () => {
    const { receiver, conversation } = await setup('RetryAfter');
    receiver.respond = (_r, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 };
    await send(app.server, alice.token, conversation, 'Doucement');
    await until(async () => receiver.requests.length >= 2);
    const [a, b] = receiver.requests.map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(1900); // 2 s, not the 300 ms backoff
  });

  it('410 Gone disables the webhook at once, with the reason', async () => {
    const { receiver, conversation, botId } = await setup('Gone');
    receiver.respond = () => ({ status: 410 });
    await send(app.server, alice.token, conversation, 'Parti ?');
    const view = await until(async () => {
      const res = await call(app.server, 'GET', `/api/bots/${botId}/webhook`, {
        token: manager.token,
      });
      return res.body.enabled === false && res.body;
    });
    expect(view.disabledReason).toContain('410 Gone');
    expect(receiver.requests).toHaveLength(1);
    // Events wait while it is off, and go once it is enabled again.
    await send(app.server, alice.token, conversation, 'Pendant la panne');
    receiver.respond = () => ({ status: 200 });
    const enabled = await call(app.server, 'POST', `/api/bots/${botId}/webhook/enable`, {
      token: manager.token,
    });
    expect(enabled.statusCode).toBe(200);
    await until(async () => receiver.requests.length >= 3);
    expect(
      receiver.requests
        .slice(1)
        .map((r) => event(r).data.message.body)
        .sort(),
    ).toEqual(['Parti ?', 'Pendant la panne']);
  });

  it('every attempt failing disables the webhook, the reason visible to its managers', async () => {
    const { receiver, conversation, botId } = await setup('Exhausted');
    receiver.respond = () => ({ status: 502 });
    await send(app.server, alice.token, conversation, 'Personne ?');
    const view = await until(async () => {
      const res = await call(app.server, 'GET', `/api/bots/${botId}/webhook`, {
        token: manager.token,
      });
      return res.body.enabled === false && res.body;
    });
    expect(receiver.requests).toHaveLength(3);
    expect(view.disabledReason).toMatch(/failed 3 times \(last: HTTP 502/);
    expect(view.pending).toBe(1);
  });
});

describe('replay', () => {
  it('sends an event again with the same webhook-id', async () => {
    const { receiver, conversation, botId } = await setup('Replay');
    await send(app.server, alice.token, conversation, 'Une fois');
    const [first] = await until(async () => receiver.requests.length > 0 && receiver.requests);
    const webhookId = String(first!.headers['webhook-id']);
    const eventId = Number(webhookId.slice(4));
    const replay = await call(app.server, 'POST', `/api/bots/${botId}/events/${eventId}/replay`, {
      token: manager.token,
    });
    expect(replay.statusCode).toBe(202);
    const again = await until(async () => receiver.requests.length >= 2 && receiver.requests[1]);
    expect(again.headers['webhook-id']).toBe(webhookId);
    expect(again.body).toBe(first!.body);
    // Someone not managing the bot may not.
    expect(
      (
        await call(app.server, 'POST', `/api/bots/${botId}/events/${eventId}/replay`, {
          token: bystander.token,
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('the pull API', () => {
  it('gives a bot its own events in order, with a cursor, and nothing else', async () => {
    const unit = await insertStructure(app.ctx, 'Unité Pull');
    await attach(app.ctx, unit, manager.account.id, 'manager');
    const botId = await createBot(app.server, manager.token, { name: 'Puller', structureId: unit });
    const other = await createBot(app.server, manager.token, {
      name: 'Autre',
      structureId: null,
    }).catch(() => null);
    expect(other).toBeNull(); // only installation administrators make those
    const token = (await createToken(app.server, manager.token, botId, ['events:read'])).secret;
    const noScope = (await createToken(app.server, manager.token, botId, ['messages:read'])).secret;

    const mine = (await create(app.server, alice.token, [struct(unit)])).body.conversation.id;
    await send(app.server, alice.token, mine, 'Un');
    await send(app.server, alice.token, mine, 'Deux');
    // Not the bot's: Alice and Sam only.
    const privateOne = (await create(app.server, alice.token, [pro(bystander.professionalId)])).body
      .conversation.id;
    await send(app.server, alice.token, privateOne, 'Secret');
    // The bot added to a conversation in its own right.
    const later = (await create(app.server, alice.token, [pro(bystander.professionalId)])).body
      .conversation.id;
    const added = await call(app.server, 'POST', `/api/conversations/${later}/participants`, {
      token: alice.token,
      payload: { recipients: [{ kind: 'account', id: botId }] },
    });
    expect(added.statusCode, added.payload).toBeLessThan(300);

    const pull = (after?: number, limit?: number, t = token) =>
      call(
        app.server,
        'GET',
        `/api/bots/me/events?${new URLSearchParams({
          ...(after !== undefined ? { after: String(after) } : {}),
          ...(limit ? { limit: String(limit) } : {}),
        })}`,
        { token: t },
      );

    const all = await pull();
    expect(all.statusCode, all.payload).toBe(200);
    expect(all.body.events.map((e: { type: string }) => e.type)).toEqual([
      'conversation.created',
      'message.created',
      'message.created',
      'participant.added',
    ]);
    const cursors = all.body.events.map((e: { cursor: number }) => e.cursor);
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(all.body.events[0].id).toBe(`evt_${cursors[0]}`);
    expect(all.body.events[1].data.message.body).toBe('Un');
    expect(all.body.events[3].data.conversation.id).toBe(later);
    expect(all.body.events[3].data.added).toEqual([{ kind: 'account', id: botId }]);
    const seen = JSON.stringify(all.body);
    expect(seen).not.toContain('Secret');
    expect(
      all.body.events.every(
        (e: {
          data: {
            conversationId?: number;
            conversation?: { id: number };
            message?: { body: string };
          };
        }) => (e.data.conversationId ?? e.data.conversation?.id) !== privateOne,
      ),
    ).toBe(true);

    const page1 = await pull(0, 2);
    expect(page1.body.events).toHaveLength(2);
    const page2 = await pull(page1.body.nextCursor, 10);
    expect(page2.body.events.map((e: { cursor: number }) => e.cursor)).toEqual(cursors.slice(2));
    const empty = await pull(page2.body.nextCursor);
    expect(empty.body).toEqual({ events: [], nextCursor: page2.body.nextCursor });

    // Another bot's events are not in this one's feed (and vice versa).
    const { botId: hooked } = await setup('Voisin');
    expect(hooked).not.toBe(botId);
    const after = await pull(page2.body.nextCursor);
    expect(after.body.events).toEqual([]);

    expect((await pull(0, 10, noScope)).statusCode).toBe(403);
    expect((await pull(0, 10, alice.token)).statusCode).toBe(403);
  });
});

describe('the outbox', () => {
  it('a send that fails stores no event', async () => {
    const { botId, conversation } = await setup('Atomique');
    const before = await app.ctx
      .db('bot_events')
      .where({ bot_account_id: botId })
      .count({ n: '*' });
    const ok = await send(app.server, alice.token, conversation, 'Premier');
    const dup = await call(app.server, 'POST', `/api/conversations/${conversation}/messages`, {
      token: bystander.token,
      payload: { id: ok.body.id ?? ok.body.message?.id, body: 'Pas le mien' },
    });
    expect(dup.statusCode).toBeGreaterThanOrEqual(400);
    const after = await app.ctx.db('bot_events').where({ bot_account_id: botId }).count({ n: '*' });
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(1);
  });
});
