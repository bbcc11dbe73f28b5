import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix } from '../../domain/jobs/queues';
import { bullConnection } from '../../domain/redis';
import { startWorkers, type Workers } from '../../workers';
import { createUser, startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;
let first: Workers;
let second: Workers;
let queue: Queue;

beforeAll(async () => {
  app = await startTestApp();
  // Two worker processes' worth of workers over the same queues.
  first = await startWorkers(app.ctx);
  second = await startWorkers(app.ctx);
  queue = new Queue('maintenance', {
    connection: bullConnection(app.ctx.config.redisUrl),
    prefix: bullPrefix(app.ctx.config),
  });
});
afterAll(async () => {
  await first.close();
  await second.close();
  await queue.close();
  await app.stop();
});

describe('maintenance workers', () => {
  it('register each periodic job once, however many workers start', async () => {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['purge-sessions']);
    expect(schedulers[0]).toMatchObject({ pattern: '17 * * * *', tz: 'Europe/Paris' });
  });

  it('purge sessions that ended more than a day ago, and keep live ones', async () => {
    const live = await createUser(app.ctx);
    const old = await createUser(app.ctx);
    await app.ctx
      .db('sessions')
      .where({ account_id: old.account.id })
      .update({ expires_at: app.ctx.db.raw("now() - interval '2 days'") });

    const events = new QueueEvents('maintenance', {
      connection: bullConnection(app.ctx.config.redisUrl),
      prefix: bullPrefix(app.ctx.config),
    });
    await events.waitUntilReady();
    const job = await queue.add('purge-sessions', {});
    const result = await job.waitUntilFinished(events, 10_000);
    await events.close();

    expect(result).toEqual({ deleted: 1 });
    expect(await app.ctx.db('sessions').where({ account_id: old.account.id }).count()).toEqual([
      { count: 0 },
    ]);
    expect(await app.ctx.db('sessions').where({ account_id: live.account.id }).count()).toEqual([
      { count: 1 },
    ]);
  });
});
