import type { Queue } from 'bullmq';

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
