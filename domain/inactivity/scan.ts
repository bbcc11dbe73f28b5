import type { AppContext } from '../context';

/**
 * The daily inactivity scan, set-based: PostgreSQL finds and updates the accounts through
 * the partial index on last_active_at (accounts not yet inactive), never a loop in Node.
 * Accounts that never signed in count from their creation. Activity clears the mark at
 * once (trigger accounts_reactivate, see the migration).
 */
export async function markInactiveAccounts(ctx: AppContext): Promise<number> {
  const days = ctx.config.inactivityDays;
  const result = await ctx.db.raw(
    `UPDATE accounts SET inactive_since = now()
      WHERE inactive_since IS NULL AND kind = 'person' AND disabled_at IS NULL
        AND (last_active_at < now() - make_interval(days => ?)
             OR (last_active_at IS NULL AND created_at < now() - make_interval(days => ?)))`,
    [days, days],
  );
  return result.rowCount ?? 0;
}

/**
 * Decides this run's reminders, in one statement: inactive accounts (e-mail known, not
 * unsubscribed) with something unread, whose days without activity reached a cadence step
 * they have not had yet. One reminder per account and run even if several steps are due
 * (it jumps to the latest: no catching up), and the unique key (account, period, step)
 * makes a second run the same day a no-op. Returns the new reminders' ids.
 */
export async function planReminders(ctx: AppContext): Promise<number[]> {
  const days = ctx.config.inactivity.reminderDays;
  const result = await ctx.db.raw(
    `WITH cadence AS (
       SELECT c.day, c.step::int AS step FROM unnest(CAST(? AS int[])) WITH ORDINALITY AS c(day, step)
     ), due AS (
       SELECT a.id, a.inactive_since, a.reminder_step, d.step, d.day
         FROM accounts a
         CROSS JOIN LATERAL (
           SELECT c.step, c.day FROM cadence c
            WHERE COALESCE(a.last_active_at, a.created_at) <= now() - make_interval(days => c.day)
            ORDER BY c.step DESC LIMIT 1
         ) d
        WHERE a.inactive_since IS NOT NULL AND a.reminders_unsubscribed_at IS NULL
          AND a.email IS NOT NULL AND a.disabled_at IS NULL AND a.kind = 'person'
          AND d.step > a.reminder_step
          AND EXISTS (
            SELECT 1 FROM conversation_participants p
              JOIN conversations c ON c.id = p.conversation_id
              LEFT JOIN read_markers r ON r.conversation_id = c.id AND r.account_id = a.id
             WHERE p.left_at IS NULL
               AND (p.account_id = a.id OR p.professional_id = a.professional_id
                    OR p.structure_id IN (SELECT sm.structure_id FROM structure_members sm WHERE sm.account_id = a.id))
               AND c.last_seq > COALESCE(r.last_read_seq, 0))
     ), bumped AS (
       UPDATE accounts a SET reminder_step = due.step FROM due
        WHERE a.id = due.id AND a.reminder_step = due.reminder_step
       RETURNING a.id, due.inactive_since, due.step, due.day
     )
     INSERT INTO inactivity_reminders (account_id, inactive_since, step, days)
     SELECT id, inactive_since, step, day FROM bumped
     ON CONFLICT (account_id, inactive_since, step) DO NOTHING
     RETURNING id`,
    [`{${days.join(',')}}`],
  );
  return result.rows.map((r: { id: number }) => Number(r.id));
}

/** Reminders decided but not sent yet (a run that died before enqueueing them all). */
export async function queuedReminders(ctx: AppContext, limit = 10_000): Promise<number[]> {
  const ids: Array<number | string> = await ctx
    .db('inactivity_reminders')
    .whereIn('state', ['queued', 'sending'])
    .where('created_at', '>', ctx.db.raw("now() - interval '7 days'"))
    .orderBy('id')
    .limit(limit)
    .pluck('id');
  return ids.map(Number);
}
