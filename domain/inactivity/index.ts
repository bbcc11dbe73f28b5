import type { Queue } from 'bullmq';
import type { AppContext } from '../context';
import { quietHoursDelayMs } from '../invitations/quiet-hours';
import { markInactiveAccounts, planReminders, queuedReminders } from './scan';

export { renderReminderEmail, renderReminderSms } from './messages';
export {
  failReminder,
  type ReminderOutcome,
  type ReminderPreferences,
  releaseReminder,
  reminderPreferences,
  sendReminder,
  setReminderPreferences,
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
 * reminder, so reminders left from a previous run that died are enqueued again, once;
 * SMS delayed past the quiet hours).
 */
export async function runInactivityScan(ctx: AppContext, queue: Queue): Promise<ScanResult> {
  const marked = await markInactiveAccounts(ctx);
  const planned = await planReminders(ctx);
  const pending = await queuedReminders(ctx);
  // The scan runs at night: SMS wait for the end of the quiet hours, like invitations.
  const smsDelay = quietHoursDelayMs(ctx.now(), ctx.config.invitations);
  await queue.addBulk(
    pending.map(({ id, channel }) => ({
      name: 'remind',
      data: { reminderId: id },
      opts: {
        jobId: `rem-${id}`,
        ...(channel === 'sms' && smsDelay > 0 ? { delay: smsDelay } : {}),
      },
    })),
  );
  return { marked, reminders: planned.length };
}
