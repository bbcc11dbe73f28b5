import type { Queue } from 'bullmq';
import type { AppContext } from '../context';
import { markInactiveAccounts, planReminders, queuedReminders } from './scan';

export { renderReminderEmail } from './messages';
export {
  failReminder,
  type ReminderOutcome,
  releaseReminder,
  sendReminder,
  unsubscribeReminders,
  unsubscribeTarget,
} from './remind';
export { markInactiveAccounts, planReminders, queuedReminders } from './scan';

export interface ScanResult {
  marked: number;
  reminders: number;
}

/**
 * The daily job: mark inactive accounts, decide reminders, enqueue them (job id per
 * reminder, so reminders left from a previous run that died are enqueued again, once).
 */
export async function runInactivityScan(ctx: AppContext, queue: Queue): Promise<ScanResult> {
  const marked = await markInactiveAccounts(ctx);
  const planned = await planReminders(ctx);
  const ids = await queuedReminders(ctx);
  await queue.addBulk(
    ids.map((id) => ({ name: 'remind', data: { reminderId: id }, opts: { jobId: `rem-${id}` } })),
  );
  return { marked, reminders: planned.length };
}
