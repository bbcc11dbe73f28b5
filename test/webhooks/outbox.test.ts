import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWebhookQueues, enqueueWebhookEvents, undeliveredEvents } from '../../domain/webhooks';
import { startWebhookWorker } from '../../workers/webhooks';
import { createBot } from '../bots/fixtures';
import { attach, create, insertStructure, person, send, struct } from '../conversations/fixtures';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { call, startTestApp, type TestApp } from '../helpers/server';
import { type Receiver, startReceiver, until } from './fixtures';

/**
 * The outbox (docs/bots.md "Webhooks"): a message sent while Redis is down is stored with
 * its event all the same (same statement), and the sweep delivers it once Redis is back.
 */
let redis: TestRedis;
let app: TestApp;
let receiver: Receiver;
let worker: Worker | undefined;

beforeAll(async () => {
  redis = await startRedis();
  app = await startTestApp({ env: { REDIS_URL: redis.url, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  receiver = await startReceiver();
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await closeWebhookQueues(app.ctx);
  await receiver.close();
  await app.stop();
  await redis.stop();
});

describe('with Redis down', () => {
  it('a sent message has its event, delivered by the sweep once Redis is back', async () => {
    const alice = await person(app.ctx, 'Alice', 'Martin');
    const manager = await person(app.ctx, 'Marc', 'Chef');
    const unit = await insertStructure(app.ctx, 'Unité Outbox');
    await attach(app.ctx, unit, manager.account.id, 'manager');
    const botId = await createBot(app.server, manager.token, { name: 'Outbox', structureId: unit });
    const put = await call(app.server, 'PUT', `/api/bots/${botId}/webhook`, {
      token: manager.token,
      payload: { url: receiver.url },
    });
    expect(put.statusCode).toBe(201);
    const conversation = (await create(app.server, alice.token, [struct(unit)])).body.conversation
      .id;

    await redis.kill();
    const sent = await send(app.server, alice.token, conversation, 'Pendant la panne');
    expect(sent.statusCode).toBe(201);
    const events = await app.ctx
      .db('bot_events')
      .where({ bot_account_id: botId, type: 'message.created' })
      .whereNull('delivered_at');
    expect(events).toHaveLength(1);

    await redis.start();
    worker = startWebhookWorker(app.ctx);
    await worker.waitUntilReady();
    // The sweep (every minute; here at once, without its 30 s grace).
    await until(async () => {
      try {
        await enqueueWebhookEvents(app.ctx, await undeliveredEvents(app.ctx, { minAgeSeconds: 0 }));
        return true;
      } catch {
        return false;
      }
    });
    const got = await until(async () =>
      receiver.requests.find((r) => JSON.parse(r.body).data.message?.body === 'Pendant la panne'),
    );
    expect(got.headers['webhook-id']).toBe(`evt_${events[0].id}`);
    await until(
      async () =>
        (await app.ctx.db('bot_events').where({ id: events[0].id }).first()).delivered_at !== null,
    );
  }, 90_000);
});
