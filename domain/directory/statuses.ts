import { pendingInvitationSql } from '../invitations/pending';

/**
 * Account status of a professional (S10, S14):
 *   active   – has an account, active within `config.inactivityDays` (30)
 *   inactive – has an account, no activity for that long (or never signed in)
 *   invited  – no account, but an invitation is pending
 *   none     – no account
 */
export type AccountStatus = 'active' | 'inactive' | 'invited' | 'none';

/** SQL giving 'active' | 'inactive' | 'none' for an `accounts` row aliased `alias`. */
export function accountStatusSql(alias: string, inactivityDays: number): string {
  const days = Math.trunc(inactivityDays);
  return `CASE WHEN ${alias}.id IS NULL THEN 'none'
    WHEN ${alias}.last_active_at >= now() - interval '${days} days' THEN 'active'
    ELSE 'inactive' END`;
}

/**
 * SQL giving the full status of professional `professionalId` (an SQL expression) whose
 * account, if any, is the `accounts` row aliased `account`.
 */
export function professionalStatusSql(
  account: string,
  professionalId: string,
  inactivityDays: number,
): string {
  return `CASE WHEN ${account}.id IS NULL AND ${pendingInvitationSql(professionalId)} THEN 'invited'
    ELSE ${accountStatusSql(account, inactivityDays)} END`;
}
