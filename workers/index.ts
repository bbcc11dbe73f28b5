import type { Worker } from 'bullmq';
import type { AppContext } from '../domain/context';
import { startAttachmentWorker } from './attachments';
import { startInactivityWorker } from './inactivity';
import { startInvitationWorkers } from './invitations';
import { startMaintenanceWorker } from './maintenance';
import { keepSchedules } from './schedules';
import { startWebhookWorker } from './webhooks';

export interface Workers {
  workers: Worker[];
  /** Stops taking jobs and waits for the ones in progress (graceful shutdown). */
  close(): Promise<void>;
}

/** Starts every worker of the system in this process and declares the schedules. */
export async function startWorkers(ctx: AppContext): Promise<Workers> {
  const schedules = await keepSchedules(ctx);

  const workers = [
    startMaintenanceWorker(ctx),
    ...startInvitationWorkers(ctx),
    startInactivityWorker(ctx),
    startAttachmentWorker(ctx),
    startWebhookWorker(ctx),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, err) =>
      ctx.logger.warn(
        { queue: worker.name, job: job?.name, id: job?.id, err: err.message },
        'job failed',
      ),
    );
    worker.on('error', (err) =>
      ctx.logger.error({ queue: worker.name, err: err.message }, 'worker error'),
    );
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    workers,
    async close() {
      await schedules.close();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
