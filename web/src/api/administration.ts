import type { RelaisSession } from '../session/session';

/**
 * What administrators decide (issue 10, docs/invitations.md): membership requests left by
 * structure invitations (the structure's administrators, or the installation's), and the
 * identities claimed by accounts made from invitation links (installation administrators).
 * Shapes: domain/structures/requests.ts and domain/identity/unverified.ts.
 */
export interface InvitationOrigin {
  id: number;
  address: string;
  /** 'typed': an address the inviter typed (proves nothing about who opened the link). */
  addressSource: 'directory' | 'typed';
  inviter: { accountId: number; firstName: string; lastName: string };
}

export interface MembershipRequest {
  id: number;
  status: 'pending' | 'approved' | 'refused';
  createdAt: string;
  structure: { id: number; name: string; city: string | null };
  account: {
    id: number;
    firstName: string;
    lastName: string;
    email: string | null;
    identityVerified: boolean;
  };
  invitation: InvitationOrigin | null;
}

export interface IdentityReview {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  mobile: string | null;
  createdAt: string;
  /** The directory identity the invitation named (null: a structure invitation, or rejected). */
  claim: {
    professionalId: number;
    firstName: string;
    lastName: string;
    profession: string | null;
    nationalId: string;
  } | null;
  rejectedAt: string | null;
  invitation: (InvitationOrigin & { channel: 'email' | 'sms'; structureId: number | null }) | null;
}

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
