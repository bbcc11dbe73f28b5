import type { Knex } from 'knex';

/** Which of these professionals have an invitation still open (link valid, not accepted). */
export async function pendingInvitationsAmong(
  db: Knex,
  professionalIds: number[],
): Promise<Set<number>> {
  if (!professionalIds.length) return new Set();
  const ids: Array<number | string> = await db('invitations')
    .whereIn('professional_id', professionalIds)
    .whereIn('status', ['queued', 'sent', 'delivered'])
    .where('expires_at', '>', db.fn.now())
    .distinct()
    .pluck('professional_id');
  return new Set(ids.map(Number));
}
