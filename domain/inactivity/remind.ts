import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import type { Mailer, SmsSender } from '../delivery';
import { renderReminderEmail, renderReminderSms } from './messages';

export type ReminderOutcome = 'sent' | 'already-sent' | 'not-needed' | 'missing';

/**
 * Sends one reminder, at most once per recorded attempt: claimed as "sending" before the
 * send, "sent" after; a retry finding "sent" does nothing. An account that came back,
 * or unsubscribed, since the scan gets nothing.
 */
export async function sendReminder(
  ctx: AppContext,
  transports: { mailer: Mailer; sms: SmsSender },
  reminderId: number,
): Promise<ReminderOutcome> {
  const claimed = await ctx.db.raw(
    `WITH cur AS (
       SELECT r.id, r.state FROM inactivity_reminders r
         JOIN accounts a ON a.id = r.account_id
        WHERE r.id = ? AND a.inactive_since = r.inactive_since
          AND a.reminders_unsubscribed_at IS NULL AND a.disabled_at IS NULL
          FOR UPDATE OF r
     ), upd AS (
       UPDATE inactivity_reminders r SET state = 'sending'
         FROM cur WHERE r.id = cur.id AND cur.state IN ('queued', 'sending')
       RETURNING r.id
     )
     SELECT r.id, r.channel, r.unsubscribe_token, a.email, a.mobile, a.reminder_sms, a.first_name, a.locale
       FROM upd JOIN inactivity_reminders r ON r.id = upd.id JOIN accounts a ON a.id = r.account_id`,
    [reminderId],
  );
  const row = claimed.rows[0];
  if (!row) {
    const r = await ctx.db('inactivity_reminders').where({ id: reminderId }).first('state');
    if (!r) return 'missing';
    if (r.state === 'sent') return 'already-sent';
    await ctx
      .db('inactivity_reminders')
      .where({ id: reminderId })
      .whereIn('state', ['queued', 'sending'])
      .update({ state: 'failed', error: 'no longer needed' });
    return 'not-needed';
  }
  const base = ctx.config.publicUrl;
  if (row.channel === 'sms') {
    if (!row.mobile || !row.reminder_sms) {
      await failReminder(ctx, reminderId, 'SMS reminders not chosen, or no mobile number');
      return 'not-needed';
    }
    const { providerId } = await transports.sms.send({
      to: row.mobile,
      body: renderReminderSms(row.locale, base),
    });
    await ctx
      .db('inactivity_reminders')
      .where({ id: reminderId })
      .update({ state: 'sent', sent_at: ctx.db.fn.now(), provider_id: providerId, error: null });
    return 'sent';
  }
  const unsubscribeUrl = `${base}/unsubscribe/${row.unsubscribe_token}`;
  const email = renderReminderEmail({
    locale: row.locale,
    firstName: row.first_name,
    signInUrl: base,
    unsubscribeUrl,
  });
  const { providerId } = await transports.mailer.send({
    to: row.email,
    ...email,
    messageId: `<reminder-${reminderId}@${new URL(base).hostname}>`,
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Relais-Kind': 'reminder',
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  });
  await ctx
    .db('inactivity_reminders')
    .where({ id: reminderId })
    .update({ state: 'sent', sent_at: ctx.db.fn.now(), provider_id: providerId, error: null });
  return 'sent';
}

export async function failReminder(ctx: AppContext, reminderId: number, reason: string) {
  await ctx
    .db('inactivity_reminders')
    .where({ id: reminderId })
    .whereNot('state', 'sent')
    .update({ state: 'failed', error: reason.slice(0, 300) });
}

export async function releaseReminder(ctx: AppContext, reminderId: number, reason: string) {
  await ctx
    .db('inactivity_reminders')
    .where({ id: reminderId, state: 'sending' })
    .update({ state: 'queued', error: reason.slice(0, 300) });
}

const UNSUBSCRIBE_TOKEN = /^[0-9a-f]{64}$/;

/** Who a reminder's unsubscribe link belongs to (for the confirmation page), or null. */
export async function unsubscribeTarget(
  ctx: AppContext,
  token: string,
): Promise<{ accountId: number; locale: 'fr' | 'en'; unsubscribed: boolean } | null> {
  if (!UNSUBSCRIBE_TOKEN.test(token)) return null;
  const row = await ctx
    .db('inactivity_reminders as r')
    .join('accounts as a', 'a.id', 'r.account_id')
    .where('r.unsubscribe_token', token)
    .first('a.id', 'a.locale', 'a.reminders_unsubscribed_at');
  if (!row) return null;
  return {
    accountId: row.id,
    locale: row.locale,
    unsubscribed: Boolean(row.reminders_unsubscribed_at),
  };
}

/** Turns reminders off for the link's account, without signing in. Idempotent. */
export async function unsubscribeReminders(ctx: AppContext, token: string): Promise<boolean> {
  const target = await unsubscribeTarget(ctx, token);
  if (!target) return false;
  await ctx
    .db('accounts')
    .where({ id: target.accountId })
    .whereNull('reminders_unsubscribed_at')
    .update({ reminders_unsubscribed_at: ctx.db.fn.now(), next_reminder_at: null });
  await ctx
    .db('inactivity_reminders')
    .where({ account_id: target.accountId })
    .where('state', 'queued')
    .update({ state: 'failed', error: 'unsubscribed' });
  return true;
}

export interface ReminderPreferences {
  /** E-mail reminders (false once unsubscribed). */
  subscribed: boolean;
  /** Also by SMS, to the account's mobile. */
  sms: boolean;
  mobile: string | null;
}

export async function reminderPreferences(
  ctx: AppContext,
  accountId: number,
): Promise<ReminderPreferences> {
  const row = await ctx
    .db('accounts')
    .where({ id: accountId })
    .first('reminders_unsubscribed_at', 'reminder_sms', 'mobile');
  return { subscribed: !row.reminders_unsubscribed_at, sms: row.reminder_sms, mobile: row.mobile };
}

/** Chooses reminders by e-mail and/or SMS; SMS needs a mobile number on the account. */
export async function setReminderPreferences(
  ctx: AppContext,
  accountId: number,
  changes: { subscribed?: boolean; sms?: boolean },
): Promise<ReminderPreferences> {
  const current = await reminderPreferences(ctx, accountId);
  if (changes.sms && !current.mobile) {
    throw Boom.badRequest('Add a mobile number to your account before choosing SMS reminders');
  }
  const patch: Record<string, unknown> = {};
  if (changes.sms !== undefined) patch.reminder_sms = changes.sms;
  if (changes.subscribed === true) patch.reminders_unsubscribed_at = null;
  if (changes.subscribed === false && current.subscribed) {
    patch.reminders_unsubscribed_at = ctx.db.fn.now();
  }
  if (Object.keys(patch).length) await ctx.db('accounts').where({ id: accountId }).update(patch);
  return reminderPreferences(ctx, accountId);
}
