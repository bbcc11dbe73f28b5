import { type Job, UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { AppContext } from '../domain/context';
import { createMailer, createSmsSender, DeliveryError } from '../domain/delivery';
import {
  type DeliveryHooks,
  deliverInvitation,
  expireInvitations,
  markDeliveryFailed,
  releaseAttempt,
  sweepQueuedInvitations,
  type Transports,
} from '../domain/invitations';
import { bullPrefix, type InvitationDelivery, type JobName } from '../domain/jobs/queues';
import { bullConnection } from '../domain/redis';

export interface InvitationWorkerOptions {
  transports?: Transports;
  hooks?: DeliveryHooks;
  /** BullMQ lock and stall check (tests shorten them to recover a killed worker fast). */
  lockDuration?: number;
  stalledInterval?: number;
}

/**
 * One delivery processor for both channels: transient failures are rethrown (BullMQ
 * retries with exponential backoff); permanent ones, and the last try of a transient one,
 * mark the invitation failed with the reason, and permanent ones end the job at once.
 */
function deliveryProcessor(ctx: AppContext, transports: Transports, hooks?: DeliveryHooks) {
  return async (job: Job<InvitationDelivery>) => {
    if (job.name !== 'deliver') throw new Error(`unknown delivery job "${job.name}"`);
    const d = { invitationId: job.data.invitationId, attempt: job.data.attempt };
    try {
      return { outcome: await deliverInvitation(ctx, transports, d, hooks) };
    } catch (err) {
      const permanent = err instanceof DeliveryError && err.permanent;
      const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const reason = (err as Error).message;
      if (permanent || lastTry) {
        await markDeliveryFailed(ctx, d, reason);
        if (permanent) throw new UnrecoverableError(reason);
      } else {
        await releaseAttempt(ctx, d, reason);
      }
      throw err;
    }
  };
}

export function startInvitationWorkers(
  ctx: AppContext,
  options: InvitationWorkerOptions = {},
): Worker[] {
  const { config } = ctx;
  const transports = options.transports ?? {
    mailer: createMailer(config.delivery),
    sms: createSmsSender(config.delivery),
  };
  const common = (): WorkerOptions => ({
    connection: bullConnection(config.redisUrl),
    prefix: bullPrefix(config),
    ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
    ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
  });
  const email = new Worker('invitation-email', deliveryProcessor(ctx, transports, options.hooks), {
    ...common(),
    concurrency: config.invitations.emailConcurrency,
  });
  const sms = new Worker('invitation-sms', deliveryProcessor(ctx, transports, options.hooks), {
    ...common(),
    concurrency: 4,
    // A global limit: BullMQ shares it across every worker of the queue.
    limiter: { max: config.invitations.smsRateMax, duration: config.invitations.smsRateMs },
  });
  email.on('closed', () => transports.mailer.close());

  const housekeeping: Record<JobName<'invitations'>, () => Promise<unknown>> = {
    sweep: async () => ({ requeued: await sweepQueuedInvitations(ctx) }),
    expire: async () => ({ expired: await expireInvitations(ctx) }),
  };
  const maintenance = new Worker(
    'invitations',
    async (job) => {
      const processor = housekeeping[job.name as JobName<'invitations'>];
      if (!processor) throw new Error(`unknown invitations job "${job.name}"`);
      return processor();
    },
    { ...common(), concurrency: 1 },
  );
  return [email, sms, maintenance];
}
