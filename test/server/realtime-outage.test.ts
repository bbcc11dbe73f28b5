import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEvent } from '../../domain/realtime';
import { until } from '../helpers/ports';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';

/**
 * Redis pub/sub keeps nothing for a subscriber that is away. When a node's subscriber loses
 * Redis and gets it back, its websockets stayed open and their clients saw nothing wrong,
 * so the node tells each of them `{ type: 'sync.required' }` and the client catches up.
 * This test runs its own redis-server (never the shared one), kills it and restarts it.
 */

let redis: TestRedis;
/** Set while Redis is killed: afterAll starts it again if the test failed then. */
let redisDown = false;
let app: TestApp;
let user: TestUser;
let client: InstanceType<typeof Nes.Client>;
const events: Array<{ type: string; conversationId?: number }> = [];

beforeAll(async () => {
  redis = await startRedis();
  app = await startTestApp({ env: { REDIS_URL: redis.url } });
  user = await createUser(app.ctx);
  client = new Nes.Client(`ws://${app.url.slice('http://'.length)}`);
  await client.connect({
    auth: { headers: { authorization: `Bearer ${user.token}` } },
    reconnect: false,
  });
  await client.subscribe(`/users/${user.account.id}`, (event) => {
    events.push(event as { type: string });
  });
});

afterAll(async () => {
  await client?.disconnect();
  if (redisDown) await redis.start(); // so that the app's connections close cleanly
  await app?.stop();
  await redis?.stop();
});

describe('realtime after a Redis outage', () => {
  it('tells connected clients to catch up once the subscription is back', async () => {
    // Live events flow, and a normal start asks for no catch-up.
    await publishEvent(app.ctx, [user.account.id], {
      type: 'typing',
      conversationId: 1,
      reader: { accountId: 1, firstName: 'A', lastName: 'B' },
    });
    await until(() => events.some((e) => e.conversationId === 1), 3000, 'first event');
    expect(events.filter((e) => e.type === 'sync.required')).toEqual([]);

    await redis.kill();
    redisDown = true;
    await redis.start();
    redisDown = false;
    await until(() => events.some((e) => e.type === 'sync.required'), 10_000, 'sync.required');
    expect(events.find((e) => e.type === 'sync.required')).toEqual({ type: 'sync.required' });

    // The websocket stayed up and live events flow again.
    await publishEvent(app.ctx, [user.account.id], {
      type: 'typing',
      conversationId: 2,
      reader: { accountId: 1, firstName: 'A', lastName: 'B' },
    });
    await until(() => events.some((e) => e.conversationId === 2), 5000, 'event after outage');
  });
});
