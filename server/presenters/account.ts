import type { Account } from '../../domain/models';

/** The signed-in user as the client sees it (never the password hash). */
export function presentAccount(account: Account) {
  return {
    id: account.id,
    firstName: account.first_name,
    lastName: account.last_name,
    email: account.email,
    locale: account.locale,
    timeZone: account.time_zone,
    professionalId: account.professional_id,
    isAdmin: account.is_admin,
    /** False until an administrator confirms who an invitation-made account is (issue 10). */
    identityVerified: account.identity_verified,
  };
}

export function presentSession(result: { token: string; expiresAt: Date; account: Account }) {
  return {
    token: result.token,
    expiresAt: result.expiresAt.toISOString(),
    account: presentAccount(result.account),
  };
}
