import type { Queue } from 'bullmq';
import type { InactivityConfig } from '../config';

/**
 * Periodic jobs, as BullMQ job schedulers (BullMQ 6 has no repeatable jobs). Upserting a
 * scheduler is idempotent by id, so every worker process can declare them at boot and
 * there is still one schedule, not one per process.
 */
export async function registerMaintenanceSchedules(maintenance: Queue, timeZone: string) {
  await maintenance.upsertJobScheduler(
    'purge-sessions',
    { pattern: '17 * * * *', tz: timeZone },
    { name: 'purge-sessions', data: {} },
  );
}

/** Invitations: re-enqueue what was left queued every minute, expire old links hourly. */
export async function registerInvitationSchedules(invitations: Queue, timeZone: string) {
  await invitations.upsertJobScheduler(
    'invitations-sweep',
    { pattern: '* * * * *', tz: timeZone },
    { name: 'sweep', data: {} },
  );
  await invitations.upsertJobScheduler(
    'invitations-expire',
    { pattern: '7 * * * *', tz: timeZone },
    { name: 'expire', data: {} },
  );
}

/** The daily inactivity scan at INACTIVITY_SCAN_TIME in INACTIVITY_TIME_ZONE. */
export async function registerInactivitySchedules(inactivity: Queue, config: InactivityConfig) {
  const [hour, minute] = config.scanTime.split(':').map(Number);
  await inactivity.upsertJobScheduler(
    'inactivity-scan',
    { pattern: `${minute} ${hour} * * *`, tz: config.timeZone },
    { name: 'scan', data: {} },
  );
}

/** Attachments: re-enqueue files left pending every minute, purge unsent uploads hourly. */
export async function registerAttachmentSchedules(attachments: Queue, timeZone: string) {
  await attachments.upsertJobScheduler(
    'attachments-sweep',
    { pattern: '* * * * *', tz: timeZone },
    { name: 'sweep', data: {} },
  );
  await attachments.upsertJobScheduler(
    'attachments-purge',
    { pattern: '23 * * * *', tz: timeZone },
    { name: 'purge', data: {} },
  );
}

/** Bot webhooks: re-enqueue events left undelivered, every minute. */
export async function registerWebhookSchedules(webhooks: Queue, timeZone: string) {
  await webhooks.upsertJobScheduler(
    'webhooks-sweep',
    { pattern: '* * * * *', tz: timeZone },
    { name: 'sweep', data: {} },
  );
}
