import type { UnverifiedAccount } from '../../../domain/identity/unverified';
import type { MembershipRequestView } from '../../../domain/structures/requests';
import type { RelaisSession } from '../session/session';

/**
 * What administrators decide (issue 10, docs/invitations.md): membership requests left by
 * structure invitations (the structure's administrators, or the installation's), and the
 * identities claimed by accounts made from invitation links (installation administrators).
 * The shapes are the domain's own, as the routes send them (type-only imports: nothing of
 * the server is bundled).
 */
export type MembershipRequest = MembershipRequestView;
export type IdentityReview = UnverifiedAccount;

/** The invitation an account joined through: who sent it, to which address, from where. */
export type InvitationOrigin = NonNullable<MembershipRequest['invitation']>;

/** An identity an administrator can act on: a claim not refused yet. */
export function awaitsDecision(review: IdentityReview): boolean {
  return review.claim !== null && review.rejectedAt === null;
}

/** Installation administrators, and administrators (role 'manager') of a structure. */
export function administersSomething(session: RelaisSession | null): boolean {
  const me = session?.me;
  return Boolean(me && (me.isAdmin || me.structures.some((s) => s.role === 'manager')));
}

export const administrationApi = {
  async membershipRequests(session: RelaisSession, signal?: AbortSignal) {
    const { requests } = await session.get<{ requests: MembershipRequest[] }>(
      '/api/structures/membership-requests',
      signal,
    );
    return requests;
  },
  decideMembership(session: RelaisSession, id: number, decision: 'approve' | 'refuse') {
    return session.request<MembershipRequest>(
      'POST',
      `/api/structures/membership-requests/${id}/${decision}`,
      {},
    );
  },
  async identityReviews(session: RelaisSession, signal?: AbortSignal) {
    const { accounts } = await session.get<{ accounts: IdentityReview[] }>(
      '/api/admin/identity/accounts',
      signal,
    );
    return accounts;
  },
  verifyIdentity(session: RelaisSession, accountId: number) {
    return session.request('POST', `/api/admin/identity/accounts/${accountId}/verify`, {});
  },
  rejectIdentity(session: RelaisSession, accountId: number) {
    return session.request('POST', `/api/admin/identity/accounts/${accountId}/reject`, {});
  },
};
