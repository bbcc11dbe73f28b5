import type { ReactiveControllerHost } from 'lit';
import {
  administersSomething,
  administrationApi,
  awaitsDecision,
  type IdentityReview,
  type MembershipRequest,
} from '../api/administration';
import type { RelaisSession } from '../session/session';
import { AdminQueueController } from './admin-queue-controller';

/**
 * How many decisions wait for the signed-in administrator (membership requests of the
 * structures they administer, identities to verify for installation administrators): the
 * badge on <relais-app>'s Administration tab. Kept current by the queues' own reloads
 * (reconnection, account changes, decisions taken in the page).
 */
export class AdminPendingController {
  readonly requests: AdminQueueController<MembershipRequest>;
  readonly identities: AdminQueueController<IdentityReview>;

  constructor(host: ReactiveControllerHost, getSession: () => RelaisSession | null) {
    this.requests = new AdminQueueController(
      host,
      getSession,
      (session, signal) => administrationApi.membershipRequests(session, signal),
      administersSomething,
    );
    this.identities = new AdminQueueController(
      host,
      getSession,
      (session, signal) => administrationApi.identityReviews(session, signal),
      (session) => session.me?.isAdmin ?? false,
    );
  }

  get count(): number {
    return this.requests.items.length + this.identities.items.filter(awaitsDecision).length;
  }
}
