import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../domain/context';
import { bullPrefix } from '../../domain/jobs/queues';
import { bullConnection } from '../../domain/redis';
import { startWorkers, type Workers } from '../../workers';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { testConfig } from '../helpers/server';

let redis: TestRedis;
let database: TestDatabase;
let workers: Workers;
let ctx: ReturnType<typeof createContext>;

beforeAll(async () => {
  redis = await startRedis();
  database = await createTestDatabase();
  ctx = createContext(testConfig(database, { REDIS_URL: redis.url }), { db: database.db });
  workers = await startWorkers(ctx);
});
afterAll(async () => {
  // Bounded: a BullMQ worker whose blocking connection went through the Redis restart
  // has once taken over a minute to close on a loaded machine; what this file checks is
  // the schedulers, and the fork is ended with the run anyway.
  await Promise.race([workers?.close(), new Promise((r) => setTimeout(r, 10_000))]);
  ctx?.redis.disconnect();
  await redis?.stop();
  await database?.drop();
});

async function schedulerIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const name of ['maintenance', 'invitations', 'inactivity', 'attachments', 'webhooks']) {
    const queue = new Queue(name, {
      connection: bullConnection(redis.url),
      prefix: bullPrefix(ctx.config),
    });
    try {
      ids.push(...(await queue.getJobSchedulers()).map((s) => s.key));
    } finally {
      await queue.close();
    }
  }
  return ids.sort();
}

const ALL = [
  'attachments-purge',
  'attachments-sweep',
  'inactivity-scan',
  'invitations-expire',
  'invitations-sweep',
  'purge-sessions',
  'webhooks-sweep',
];

describe('job schedulers', () => {
  it('come back by themselves after Redis restarts empty', async () => {
    expect(await schedulerIds()).toEqual(ALL);
    await redis.kill();
    await redis.start();
    // The restarted Redis has no data: the sweep, the expiry and the daily scan would never
    // run again. The running workers declare them again when they reconnect.
    const deadline = Date.now() + 15_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      ids = await schedulerIds();
      if (ids.length === ALL.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toEqual(ALL);
  });
});
