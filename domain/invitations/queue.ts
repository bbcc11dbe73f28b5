import type { JobsOptions, Queue } from 'bullmq';
import type { AppContext } from '../context';
import { createQueue, type InvitationDelivery } from '../jobs/queues';
import { within } from '../within';

/**
 * Producers of delivery jobs. A job id per invitation and attempt makes enqueueing
 * idempotent: the sweep (or a retried request) adding a job that is already waiting,
 * delayed or running adds nothing.
 */
const queues = new WeakMap<AppContext, { email: Queue; sms: Queue }>();

function queuesOf(ctx: AppContext) {
  let q = queues.get(ctx);
  if (!q) {
    q = {
      email: createQueue(ctx.config, 'invitation-email'),
      sms: createQueue(ctx.config, 'invitation-sms'),
    };
    for (const queue of [q.email, q.sms]) {
      queue.on('error', (err) => ctx.logger.warn({ err: err.message }, 'invitation queue error'));
    }
    queues.set(ctx, q);
  }
  return q;
}

export function deliveryJobId(d: InvitationDelivery): string {
  return `inv-${d.invitationId}-${d.attempt}`;
}

export interface DeliveryToEnqueue extends InvitationDelivery {
  channel: 'email' | 'sms';
  /** Not before this time (SMS quiet hours). */
  sendAfter?: Date | null;
}

export async function enqueueDeliveries(
  ctx: AppContext,
  deliveries: DeliveryToEnqueue[],
): Promise<void> {
  if (!deliveries.length) return;
  const q = queuesOf(ctx);
  // The delay is counted on the context's clock, the one that computed sendAfter.
  const now = ctx.now().getTime();
  const byChannel = { email: [] as DeliveryToEnqueue[], sms: [] as DeliveryToEnqueue[] };
  for (const d of deliveries) byChannel[d.channel].push(d);
  for (const channel of ['email', 'sms'] as const) {
    const list = byChannel[channel];
    if (!list.length) continue;
    await q[channel].addBulk(
      list.map((d) => {
        const opts: JobsOptions = {
          jobId: deliveryJobId(d),
          attempts: ctx.config.invitations.maxTries,
          backoff: { type: 'exponential', delay: ctx.config.invitations.retryDelayMs },
        };
        const delay = d.sendAfter ? d.sendAfter.getTime() - now : 0;
        if (delay > 0) opts.delay = delay;
        return {
          name: 'deliver',
          data: { invitationId: d.invitationId, attempt: d.attempt },
          opts,
        };
      }),
    );
  }
}

/** Enqueues after commit; a failure here is logged and left to the sweep (never lost). */
export async function enqueueAfterCommit(
  ctx: AppContext,
  deliveries: DeliveryToEnqueue[],
): Promise<boolean> {
  try {
    await within(enqueueDeliveries(ctx, deliveries), 3000);
    return true;
  } catch (err) {
    ctx.logger.warn(
      { err: (err as Error).message, count: deliveries.length },
      'invitation enqueue failed: the sweep will retry',
    );
    return false;
  }
}

export async function closeInvitationQueues(ctx: AppContext): Promise<void> {
  const q = queues.get(ctx);
  if (!q) return;
  queues.delete(ctx);
  await Promise.allSettled([q.email.close(), q.sms.close()]);
}
