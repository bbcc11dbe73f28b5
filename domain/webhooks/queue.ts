import { randomUUID } from 'node:crypto';
import type { JobsOptions, Queue } from 'bullmq';
import type { AppContext } from '../context';
import { createQueue } from '../jobs/queues';
import { within } from '../within';

/**
 * Producers of webhook delivery jobs. The job id `wh-<eventId>` makes enqueueing
 * idempotent while a job is waiting, delayed or running: the sweep, or a request retried,
 * adds nothing then. Finished jobs are removed (the delivery log is in PostgreSQL), so that
 * the sweep can enqueue an event again once its webhook is enabled again; the worker
 * never sends an event already delivered.
 */
const queues = new WeakMap<AppContext, Queue>();

function queueOf(ctx: AppContext): Queue {
  let q = queues.get(ctx);
  if (!q) {
    q = createQueue(ctx.config, 'webhooks');
    q.on('error', (err) => ctx.logger.warn({ err: err.message }, 'webhook queue error'));
    queues.set(ctx, q);
  }
  return q;
}

export const webhookJobId = (eventId: number) => `wh-${eventId}`;

export function webhookJobOptions(ctx: AppContext): JobsOptions {
  return {
    attempts: ctx.config.webhooks.maxAttempts,
    // workers/webhooks.ts computes the delay: exponential with jitter, or Retry-After.
    backoff: { type: 'webhook' },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

export async function enqueueWebhookEvents(
  ctx: AppContext,
  eventIds: number[],
  delayMs = 0,
): Promise<void> {
  if (!eventIds.length) return;
  await queueOf(ctx).addBulk(
    eventIds.map((eventId) => ({
      name: 'deliver',
      data: { eventId },
      opts: {
        ...webhookJobOptions(ctx),
        jobId: webhookJobId(eventId),
        ...(delayMs > 0 ? { delay: delayMs } : {}),
      },
    })),
  );
}

/** A manual replay: a job of its own (one try), the same event and `webhook-id`. */
export async function enqueueReplay(ctx: AppContext, eventId: number): Promise<void> {
  await within(
    queueOf(ctx).add(
      'replay',
      { eventId },
      {
        jobId: `wh-${eventId}-replay-${randomUUID()}`,
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: true,
      },
    ),
    3000,
  );
}

/**
 * Enqueues after commit. With Redis down BullMQ waits for it forever: the request is not
 * held past 3 s, and the events, already in PostgreSQL, are left to the sweep.
 */
export async function enqueueWebhooksAfterCommit(
  ctx: AppContext,
  eventIds: number[],
): Promise<boolean> {
  if (!eventIds.length) return true;
  try {
    await within(enqueueWebhookEvents(ctx, eventIds), 3000);
    return true;
  } catch (err) {
    ctx.logger.warn(
      { err: (err as Error).message, count: eventIds.length },
      'webhook enqueue failed: the sweep will retry',
    );
    return false;
  }
}

export async function closeWebhookQueues(ctx: AppContext): Promise<void> {
  const q = queues.get(ctx);
  if (!q) return;
  queues.delete(ctx);
  await q.close().catch(() => undefined);
}
