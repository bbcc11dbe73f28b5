import { type Job, Worker } from 'bullmq';
import { purgeEndedSessions } from '../domain/accounts';
import type { AppContext } from '../domain/context';
import { bullPrefix, type JobName } from '../domain/jobs/queues';
import { bullConnection } from '../domain/redis';

/** Housekeeping: one processor per job name, each a thin call into the domain. */
const processors: Record<
  JobName<'maintenance'>,
  (ctx: AppContext, job: Job) => Promise<unknown>
> = {
  'purge-sessions': async (ctx) => ({ deleted: await purgeEndedSessions(ctx) }),
};

export function startMaintenanceWorker(ctx: AppContext): Worker {
  return new Worker(
    'maintenance',
    async (job) => {
      const processor = processors[job.name as JobName<'maintenance'>];
      if (!processor) throw new Error(`unknown maintenance job "${job.name}"`);
      return processor(ctx, job);
    },
    {
      connection: bullConnection(ctx.config.redisUrl),
      prefix: bullPrefix(ctx.config),
      concurrency: 1,
    },
  );
}
