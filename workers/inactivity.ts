import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { AppContext } from '../domain/context';
import {
  createMailer,
  createSmsSender,
  DeliveryError,
  type Mailer,
  type SmsSender,
} from '../domain/delivery';
import {
  failReminder,
  releaseReminder,
  runInactivityScan,
  sendReminder,
} from '../domain/inactivity';
import { bullPrefix, DEFAULT_JOB_OPTIONS, type JobName } from '../domain/jobs/queues';
import { bullConnection } from '../domain/redis';

/** The daily scan and the reminders it enqueues on the same queue. */
export function startInactivityWorker(
  ctx: AppContext,
  options: { mailer?: Mailer; sms?: SmsSender } = {},
): Worker {
  const mailer = options.mailer ?? createMailer(ctx.config.delivery);
  const sms = options.sms ?? createSmsSender(ctx.config.delivery);
  const queue = new Queue('inactivity', {
    connection: bullConnection(ctx.config.redisUrl),
    prefix: bullPrefix(ctx.config),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
  const processors: Record<JobName<'inactivity'>, (job: Job) => Promise<unknown>> = {
    scan: () => runInactivityScan(ctx, queue),
    remind: async (job) => {
      const id = Number(job.data.reminderId);
      try {
        return { outcome: await sendReminder(ctx, { mailer, sms }, id) };
      } catch (err) {
        const permanent = err instanceof DeliveryError && err.permanent;
        const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (permanent || lastTry) await failReminder(ctx, id, (err as Error).message);
        else await releaseReminder(ctx, id, (err as Error).message);
        if (permanent) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    },
  };
  const worker = new Worker(
    'inactivity',
    async (job) => {
      const processor = processors[job.name as JobName<'inactivity'>];
      if (!processor) throw new Error(`unknown inactivity job "${job.name}"`);
      return processor(job);
    },
    {
      connection: bullConnection(ctx.config.redisUrl),
      prefix: bullPrefix(ctx.config),
      concurrency: 5,
    },
  );
  worker.on('closed', () => {
    mailer.close();
    queue.close().catch(() => {});
  });
  return worker;
}
