import type { Queue } from 'bullmq';
import type { AppContext } from '../domain/context';
import { createQueue } from '../domain/jobs/queues';
import {
  registerAttachmentSchedules,
  registerInactivitySchedules,
  registerInvitationSchedules,
  registerMaintenanceSchedules,
  registerWebhookSchedules,
} from '../domain/jobs/schedules';
import { createRedis } from '../domain/redis';

/** How often the schedulers are checked for, besides every reconnection to Redis. */
const CHECK_INTERVAL_MS = 60_000;

export interface ScheduleKeeper {
  /** Declares every scheduler now (idempotent); resolves when Redis has them. */
  declare(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The periodic jobs (sweep, expiry, session purge, the daily inactivity scan) live in
 * Redis only. A Redis restarted without persistence, or flushed, loses them, and no job
 * would run again until a worker restarted. So each worker process keeps its queues open
 * and declares the schedulers again whenever its connection to Redis is (re)established,
 * and checks for them every minute in case the data went without a reconnection.
 * Upserting a scheduler is idempotent by id, so many processes doing it still give one
 * schedule each.
 */
export async function keepSchedules(ctx: AppContext): Promise<ScheduleKeeper> {
  const queues = {
    maintenance: createQueue(ctx.config, 'maintenance'),
    invitations: createQueue(ctx.config, 'invitations'),
    inactivity: createQueue(ctx.config, 'inactivity'),
    attachments: createQueue(ctx.config, 'attachments'),
    webhooks: createQueue(ctx.config, 'webhooks'),
  };
  const all: Queue[] = Object.values(queues);
  for (const queue of all) {
    queue.on('error', (err) => ctx.logger.warn({ err: err.message }, 'schedule queue error'));
  }
  const declare = async () => {
    await registerMaintenanceSchedules(queues.maintenance, 'Europe/Paris');
    await registerInvitationSchedules(queues.invitations, 'Europe/Paris');
    await registerInactivitySchedules(queues.inactivity, ctx.config.inactivity);
    await registerAttachmentSchedules(queues.attachments, 'Europe/Paris');
    await registerWebhookSchedules(queues.webhooks, 'Europe/Paris');
  };
  let running: Promise<void> | null = null;
  const redeclare = (why: string) => {
    running ??= (async () => {
      try {
        const counts = await Promise.all(all.map((q) => q.getJobSchedulersCount()));
        if (why === 'check' && counts.every((n) => n > 0)) return;
        await declare();
        ctx.logger.info({ why }, 'job schedulers declared');
      } catch (err) {
        ctx.logger.warn({ err: (err as Error).message, why }, 'job schedulers not declared yet');
      } finally {
        running = null;
      }
    })();
  };

  await declare();
  // A connection of its own to watch Redis: ioredis fires 'ready' on each successful
  // (re)connection (BullMQ 6 no longer exposes its queues' clients).
  const watcher = createRedis(ctx.config.redisUrl, { maxRetriesPerRequest: null });
  watcher.on('error', () => undefined); // the queues log the outage
  let connectedBefore = false;
  watcher.on('ready', () => {
    if (connectedBefore) redeclare('reconnected');
    connectedBefore = true;
  });
  const timer = setInterval(() => redeclare('check'), CHECK_INTERVAL_MS);
  timer.unref();

  return {
    declare,
    async close() {
      clearInterval(timer);
      watcher.disconnect();
      // A declaration waiting for a Redis that is away must not hold the shutdown.
      await Promise.race([running, new Promise((r) => setTimeout(r, 2000).unref())]);
      await Promise.allSettled(all.map((q) => q.close()));
    },
  };
}
