import { type Job, Worker } from 'bullmq';
import {
  PROCESS_ATTEMPTS,
  type ProcessDeps,
  processAttachment,
  purgeUnattached,
  sweepPending,
} from '../domain/attachments';
import { createClamdScanner, findTool } from '../domain/attachments/examine';
import type { AppContext } from '../domain/context';
import { bullPrefix, type JobName } from '../domain/jobs/queues';
import { bullConnection } from '../domain/redis';

export interface AttachmentWorkerOptions {
  deps?: Partial<ProcessDeps>;
  /** First retry delay, doubling up to a minute (tests shorten it). */
  retryDelayMs?: number;
  /** BullMQ lock and stall check (tests shorten them to recover a killed worker fast). */
  lockDuration?: number;
  stalledInterval?: number;
}

/** What processing needs from the machine: the antivirus and the Debian tools. */
export function processDeps(ctx: AppContext): ProcessDeps {
  const { clamavUrl, ffmpegPath, pdftoppmPath } = ctx.config.attachments;
  return {
    scanner: clamavUrl ? createClamdScanner(clamavUrl) : null,
    tools: {
      ffmpeg: ffmpegPath ?? findTool('ffmpeg'),
      pdftoppm: pdftoppmPath ?? findTool('pdftoppm'),
    },
  };
}

/**
 * One `process` job per complete upload, and the housekeeping. A job that throws (scanner
 * or storage down, a killed worker's stalled job) is retried with a backoff capped at a
 * minute, for about three hours; the sweep re-enqueues whatever is left pending after that.
 */
export function startAttachmentWorker(
  ctx: AppContext,
  options: AttachmentWorkerOptions = {},
): Worker {
  const deps = { ...processDeps(ctx), ...options.deps };
  if (!deps.scanner) {
    ctx.logger.warn(
      'No antivirus configured (CLAMAV_URL): files are served marked "non analysé" (development only)',
    );
  }
  const first = options.retryDelayMs ?? 2000;
  const processors: Record<JobName<'attachments'>, (job: Job) => Promise<unknown>> = {
    process: async (job) => ({
      outcome: await processAttachment(ctx, job.data.attachmentId, deps),
    }),
    sweep: async () => ({ requeued: await sweepPending(ctx) }),
    purge: async () => ({ deleted: await purgeUnattached(ctx) }),
  };
  return new Worker(
    'attachments',
    async (job) => {
      const processor = processors[job.name as JobName<'attachments'>];
      if (!processor) throw new Error(`unknown attachments job "${job.name}"`);
      return processor(job);
    },
    {
      connection: bullConnection(ctx.config.redisUrl),
      prefix: bullPrefix(ctx.config),
      concurrency: ctx.config.attachments.workerConcurrency,
      // Videos take a while: the lock is renewed by BullMQ while the job runs.
      lockDuration: options.lockDuration ?? 60_000,
      ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
      maxStalledCount: PROCESS_ATTEMPTS,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          Math.min(first * 2 ** (attemptsMade - 1), 60_000),
      },
    },
  );
}
