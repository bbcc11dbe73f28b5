import { type JobsOptions, Queue } from 'bullmq';
import type { Config } from '../config';
import { bullConnection } from '../redis';

/**
 * Every queue, job name and payload type, declared once and shared by the producers
 * (domain code, run in the server or in workers) and the processors (workers/).
 * Later issues add their queues here.
 */
export interface JobPayloads {
  maintenance: {
    'purge-sessions': Record<string, never>;
  };
  /** Invitation e-mails (issue 6); job id `inv-<invitation>-<attempt>`. */
  'invitation-email': {
    deliver: InvitationDelivery;
  };
  /** Invitation SMS, rate-limited across workers to the Twilio account's throughput. */
  'invitation-sms': {
    deliver: InvitationDelivery;
  };
  /** Invitation housekeeping: re-enqueue what was left queued, expire old links. */
  invitations: {
    sweep: Record<string, never>;
    expire: Record<string, never>;
  };
  /** The daily inactivity scan and the reminders it decides (job id `rem-<reminder>`). */
  inactivity: {
    scan: Record<string, never>;
    remind: { reminderId: number };
  };
  /**
   * Attachments (issue 11): one `process` job per complete upload (job id `att-<id>`),
   * plus housekeeping: re-enqueue files left pending, delete uploads never attached.
   */
  attachments: {
    process: { attachmentId: string };
    sweep: Record<string, never>;
    purge: Record<string, never>;
  };
  /**
   * Bot webhooks (issue 12): `deliver` one event (job id `wh-<event>`), `replay` one again
   * on request, `sweep` re-enqueues events left undelivered.
   */
  webhooks: {
    deliver: { eventId: number };
    replay: { eventId: number };
    sweep: Record<string, never>;
  };
}

export interface InvitationDelivery {
  invitationId: number;
  attempt: number;
}

export type QueueName = keyof JobPayloads;
export type JobName<Q extends QueueName> = keyof JobPayloads[Q] & string;

/**
 * BullMQ keys live under the deployment's prefix; `{bull}` is a Redis Cluster hash tag so
 * that every key of the queues lands in one slot, as BullMQ requires on a cluster.
 */
export function bullPrefix(config: Config): string {
  return `${config.redisPrefix}:{bull}`;
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueue<Q extends QueueName>(config: Config, name: Q): Queue {
  return new Queue(name, {
    connection: bullConnection(config.redisUrl),
    prefix: bullPrefix(config),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}
