import type { Knex } from 'knex';

/**
 * Account status of a professional (S10, S14):
 *   active   – has an account, active within `config.inactivityDays` (30)
 *   inactive – has an account, no activity for that long (or never signed in)
 *   invited  – no account, but an invitation is pending
 *   none     – no account
 *
 * HOOK FOR ISSUE 6 (invitations): the directory does not know the invitations table. The
 * invitations module registers, once at import time, how to find the professionals with a
 * pending invitation among a page of results:
 *
 *   setPendingInvitationLookup(async (db, professionalIds) => new Set(
 *     (await db('invitations').whereIn('professional_id', professionalIds)
 *        .where('status', 'pending').pluck('professional_id'))));
 *
 * It is called with at most one page of ids, only for those without an account; until it
 * is registered, nobody is `invited`.
 */
export type AccountStatus = 'active' | 'inactive' | 'invited' | 'none';

export type PendingInvitationLookup = (db: Knex, professionalIds: number[]) => Promise<Set<number>>;

const noInvitations: PendingInvitationLookup = async () => new Set();
let pendingInvitations: PendingInvitationLookup = noInvitations;

export function setPendingInvitationLookup(lookup: PendingInvitationLookup | null): void {
  pendingInvitations = lookup ?? noInvitations;
}

/** SQL giving 'active' | 'inactive' | 'none' for an `accounts` row aliased `alias`. */
export function accountStatusSql(alias: string, inactivityDays: number): string {
  const days = Math.trunc(inactivityDays);
  return `CASE WHEN ${alias}.id IS NULL THEN 'none'
    WHEN ${alias}.last_active_at >= now() - interval '${days} days' THEN 'active'
    ELSE 'inactive' END`;
}

/** Upgrades `none` to `invited` for the professionals with a pending invitation. */
export async function withInvitations<T extends { professionalId: number; status: AccountStatus }>(
  db: Knex,
  items: T[],
): Promise<T[]> {
  const ids = items.filter((i) => i.status === 'none').map((i) => i.professionalId);
  if (!ids.length || pendingInvitations === noInvitations) return items;
  const invited = await pendingInvitations(db, ids);
  for (const i of items)
    if (i.status === 'none' && invited.has(i.professionalId)) i.status = 'invited';
  return items;
}
