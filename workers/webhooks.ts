import { type Job, Worker } from 'bullmq';
import type { AppContext } from '../domain/context';
import { bullPrefix, type JobName } from '../domain/jobs/queues';
import { bullConnection } from '../domain/redis';
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  deliverEvent,
  enqueueWebhookEvents,
  RetryableDelivery,
  undeliveredEvents,
} from '../domain/webhooks';

export interface WebhookWorkerOptions {
  /** The retry delays (tests pin a small base delay and no jitter). */
  backoff?: Partial<BackoffPolicy>;
  concurrency?: number;
  lockDuration?: number;
  stalledInterval?: number;
}

/**
 * Bot webhooks (issue 12): `deliver` sends one event (domain/webhooks/deliver.ts decides
 * what a response means), `replay` sends one again on a manager's request, `sweep`
 * re-enqueues what was left undelivered. The retry delay of a failed try is the one the
 * domain computed (exponential with jitter, or the receiver's Retry-After), given to BullMQ
 * through a custom backoff strategy.
 */
export function startWebhookWorker(ctx: AppContext, options: WebhookWorkerOptions = {}): Worker {
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const processors: Record<JobName<'webhooks'>, (job: Job) => Promise<unknown>> = {
    deliver: async (job) => ({
      outcome: await deliverEvent(ctx, Number(job.data.eventId), {
        backoff,
        lastTry: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      }),
    }),
    replay: async (job) => ({
      outcome: await deliverEvent(ctx, Number(job.data.eventId), { backoff, replay: true }),
    }),
    sweep: async () => {
      const ids = await undeliveredEvents(ctx);
      await enqueueWebhookEvents(ctx, ids);
      return { requeued: ids.length };
    },
  };
  return new Worker(
    'webhooks',
    async (job) => {
      const processor = processors[job.name as JobName<'webhooks'>];
      if (!processor) throw new Error(`unknown webhooks job "${job.name}"`);
      return processor(job);
    },
    {
      connection: bullConnection(ctx.config.redisUrl),
      prefix: bullPrefix(ctx.config),
      concurrency: options.concurrency ?? 16,
      ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          err instanceof RetryableDelivery
            ? err.delayMs
            : Math.min(
                backoff.maxDelayMs,
                backoff.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1),
              ),
      },
    },
  );
}
