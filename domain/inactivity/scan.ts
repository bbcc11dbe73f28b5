import type { AppContext } from '../context';

const cadenceArray = (ctx: AppContext) => `{${ctx.config.inactivity.reminderDays.join(',')}}`;

/**
 * The daily inactivity scan, set-based: PostgreSQL finds and updates the accounts through
 * partial indexes (accounts not yet inactive, by last activity; those that never signed in,
 * by creation), never a loop in Node. Marking also schedules the first reminder (last
 * activity + the first cadence day). Activity clears all of it at once (trigger
 * accounts_reactivate, see the migrations).
 */
export async function markInactiveAccounts(ctx: AppContext): Promise<number> {
  const days = ctx.config.inactivityDays;
  const first = ctx.config.inactivity.reminderDays[0]!;
  const active = await ctx.db.raw(
    `UPDATE accounts
        SET inactive_since = now(), reminder_step = 0,
            next_reminder_at = last_active_at + make_interval(days => ?)
      WHERE inactive_since IS NULL AND last_active_at < now() - make_interval(days => ?)
        AND kind = 'person' AND disabled_at IS NULL`,
    [first, days],
  );
  const never = await ctx.db.raw(
    `UPDATE accounts
        SET inactive_since = now(), reminder_step = 0,
            next_reminder_at = created_at + make_interval(days => ?)
      WHERE inactive_since IS NULL AND last_active_at IS NULL
        AND created_at < now() - make_interval(days => ?)
        AND kind = 'person' AND disabled_at IS NULL`,
    [first, days],
  );
  return (active.rowCount ?? 0) + (never.rowCount ?? 0);
}

/**
 * Decides this run's reminders (an e-mail, and an SMS for users who chose them), in one statement, over the accounts whose next reminder is
 * due (an index range, not every inactive account): the step reached is recorded and the
 * next one scheduled, and a reminder is created if something unread waits (e-mail known,
 * not unsubscribed). An account is examined once per cadence step, not every day: what
 * arrives after day 30 is reminded at day 37. One reminder per account and run even if
 * several steps are due (it jumps to the latest: no catching up); after the last step,
 * nothing more. The unique key (account, period, step) makes a rerun a no-op.
 * Returns the new reminders' ids.
 */
export async function planReminders(ctx: AppContext): Promise<number[]> {
  const result = await ctx.db.raw(
    `WITH cadence AS (
       SELECT c.day, c.step::int AS step FROM unnest(CAST(? AS int[])) WITH ORDINALITY AS c(day, step)
     ), due AS (
       SELECT a.id, a.inactive_since, a.reminder_step, d.step, d.day,
              (SELECT min(c.day) FROM cadence c WHERE c.step > d.step) AS next_day,
              COALESCE(a.last_active_at, a.created_at) AS since,
              a.email IS NOT NULL AS has_email,
              (a.reminder_sms AND a.mobile IS NOT NULL) AS has_sms,
              ((a.email IS NOT NULL OR (a.reminder_sms AND a.mobile IS NOT NULL))
               AND a.reminders_unsubscribed_at IS NULL AND (
                -- Three index-friendly probes (one per kind of seat) rather than one OR.
                EXISTS (
                  SELECT 1 FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                   WHERE p.account_id = a.id AND p.left_at IS NULL
                     AND c.last_seq > COALESCE((SELECT r.last_read_seq FROM read_markers r
                                                 WHERE r.conversation_id = c.id AND r.account_id = a.id), 0))
                OR EXISTS (
                  SELECT 1 FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                   WHERE p.professional_id = a.professional_id AND p.left_at IS NULL
                     AND c.last_seq > COALESCE((SELECT r.last_read_seq FROM read_markers r
                                                 WHERE r.conversation_id = c.id AND r.account_id = a.id), 0))
                OR EXISTS (
                  SELECT 1 FROM structure_members sm
                    JOIN conversation_participants p ON p.structure_id = sm.structure_id AND p.left_at IS NULL
                    JOIN conversations c ON c.id = p.conversation_id
                   WHERE sm.account_id = a.id
                     AND c.last_seq > COALESCE((SELECT r.last_read_seq FROM read_markers r
                                                 WHERE r.conversation_id = c.id AND r.account_id = a.id), 0))
              )) AS waiting
         FROM accounts a
         CROSS JOIN LATERAL (
           SELECT c.step, c.day FROM cadence c
            WHERE COALESCE(a.last_active_at, a.created_at) <= now() - make_interval(days => c.day)
            ORDER BY c.step DESC LIMIT 1
         ) d
        WHERE a.next_reminder_at <= now() AND a.inactive_since IS NOT NULL
          AND a.disabled_at IS NULL AND a.kind = 'person'
     ), bumped AS (
       UPDATE accounts a
          SET reminder_step = GREATEST(a.reminder_step, due.step),
              next_reminder_at = CASE WHEN due.next_day IS NULL THEN NULL
                                      ELSE due.since + make_interval(days => due.next_day) END
         FROM due
        WHERE a.id = due.id AND a.reminder_step = due.reminder_step
       RETURNING a.id, due.inactive_since, due.step, due.day, due.waiting, due.reminder_step AS before,
                 due.has_email, due.has_sms
     )
     INSERT INTO inactivity_reminders (account_id, inactive_since, step, days, channel)
     SELECT b.id, b.inactive_since, b.step, b.day, ch.channel
       FROM bumped b CROSS JOIN (VALUES ('email'), ('sms')) AS ch(channel)
      WHERE b.waiting AND b.step > b.before
        AND ((ch.channel = 'email' AND b.has_email) OR (ch.channel = 'sms' AND b.has_sms))
     ON CONFLICT (account_id, inactive_since, step, channel) DO NOTHING
     RETURNING id`,
    [cadenceArray(ctx)],
  );
  return result.rows.map((r: { id: number }) => Number(r.id));
}

/** Reminders decided but not sent yet (a run that died before enqueueing them all). */
export async function queuedReminders(
  ctx: AppContext,
  limit = 10_000,
): Promise<Array<{ id: number; channel: 'email' | 'sms' }>> {
  const rows: Array<{ id: number | string; channel: 'email' | 'sms' }> = await ctx
    .db('inactivity_reminders')
    .whereIn('state', ['queued', 'sending'])
    .where('created_at', '>', ctx.db.raw("now() - interval '7 days'"))
    .orderBy('id')
    .limit(limit)
    .select('id', 'channel');
  return rows.map((r) => ({ id: Number(r.id), channel: r.channel }));
}
