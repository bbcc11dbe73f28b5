import type { Queue } from 'bullmq';
import type { AppContext } from '../context';
import { createQueue } from '../jobs/queues';
import { within } from '../within';
import { createStorage, type Storage } from './storage';

/**
 * The storage and the processing queue of a context, created on first use and shared by
 * every request of the process. Tests hand a context their own storage with `useStorage`.
 */
const storages = new WeakMap<AppContext, Promise<Storage>>();
const queues = new WeakMap<AppContext, Queue>();

export function storageOf(ctx: AppContext): Promise<Storage> {
  let storage = storages.get(ctx);
  if (!storage) {
    storage = createStorage(ctx.config.attachments.storage);
    storages.set(ctx, storage);
  }
  return storage;
}

export function useStorage(ctx: AppContext, storage: Storage): void {
  storages.set(ctx, Promise.resolve(storage));
}

export function attachmentsQueue(ctx: AppContext): Queue {
  let queue = queues.get(ctx);
  if (!queue) {
    queue = createQueue(ctx.config, 'attachments');
    queue.on('error', (err) => ctx.logger.warn({ err: err.message }, 'attachments queue error'));
    queues.set(ctx, queue);
  }
  return queue;
}

export const processJobId = (attachmentId: string) => `att-${attachmentId}`;

/** Tries over about three hours: a scanner down for a while delays files, never loses them. */
export const PROCESS_ATTEMPTS = 200;

/**
 * Enqueues the processing of a complete upload. Idempotent (the job id is the file's); a
 * failure is logged and left to the sweep, which re-enqueues files left pending.
 */
export async function enqueueProcessing(
  ctx: AppContext,
  attachmentId: string,
  options: { retryFailed?: boolean } = {},
): Promise<boolean> {
  const queue = attachmentsQueue(ctx);
  const add = async () => {
    if (options.retryFailed) {
      // A job that used up its tries stays failed under its id and blocks a new one.
      const job = await queue.getJob(processJobId(attachmentId));
      if (job && (await job.isFailed())) await job.remove();
    }
    await queue.add(
      'process',
      { attachmentId },
      {
        jobId: processJobId(attachmentId),
        attempts: PROCESS_ATTEMPTS,
        backoff: { type: 'custom' },
        removeOnComplete: { age: 3600, count: 1000 },
      },
    );
  };
  try {
    await within(add(), 3000);
    return true;
  } catch (err) {
    ctx.logger.warn(
      { err: (err as Error).message, attachmentId },
      'attachment enqueue failed: the sweep will retry',
    );
    return false;
  }
}

export async function closeAttachments(ctx: AppContext): Promise<void> {
  const queue = queues.get(ctx);
  queues.delete(ctx);
  const storage = storages.get(ctx);
  storages.delete(ctx);
  await Promise.allSettled([queue?.close(), storage?.then((s) => s.close())]);
}
