import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { decideMembershipRequest, listMembershipRequests } from '../../../domain/structures';
import { ctxOf, userOf } from '../../types';
import { id } from '../directory/schemas';

/** Requests left by accepted structure invitations, for the structures' administrators. */
export const listMembershipRequestsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/structures/membership-requests',
  options: {
    tags: ['api'],
    description: 'Pending membership requests of the structures I administer (admins: all)',
  },
  async handler(request) {
    return { requests: await listMembershipRequests(ctxOf(request), userOf(request)) };
  },
};

function decideRoute(decision: 'approve' | 'refuse'): ServerRoute {
  return {
    method: 'POST',
    path: `/api/structures/membership-requests/{id}/${decision}`,
    options: {
      tags: ['api'],
      description:
        decision === 'approve'
          ? 'Approve a membership request: the account answers for the structure from now on'
          : 'Refuse a membership request',
      notes: "403 unless you administer the request's structure; 409 if already decided.",
      validate: {
        params: Joi.object({ id: id.required() }),
        payload: Joi.object({}).allow(null).default({}),
      },
    },
    async handler(request) {
      const { id: requestId } = request.params as { id: number };
      return decideMembershipRequest(ctxOf(request), userOf(request), requestId, decision);
    },
  };
}

export const approveMembershipRequestRoute = decideRoute('approve');
export const refuseMembershipRequestRoute = decideRoute('refuse');
