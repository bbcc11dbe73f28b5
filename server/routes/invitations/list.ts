import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { getInvitation, listInvitations } from '../../../domain/invitations';
import { ctxOf, userOf } from '../../types';
import { id, oneTo } from '../../validation';

export const listInvitationsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/invitations',
  options: {
    tags: ['api'],
    description:
      'My invitations, newest first, with their status: queued, sent, delivered, failed (with a reason), accepted, expired, revoked',
    validate: {
      query: Joi.object({
        limit: oneTo(200).default(50),
        before: id,
      }),
    },
  },
  async handler(request) {
    const query = request.query as { limit: number; before?: number };
    return { invitations: await listInvitations(ctxOf(request), userOf(request), query) };
  },
};

export const getInvitationRoute: ServerRoute = {
  method: 'GET',
  path: '/api/invitations/{id}',
  options: {
    tags: ['api'],
    description: 'One of my invitations',
    validate: { params: Joi.object({ id: id.required() }) },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    return getInvitation(ctxOf(request), userOf(request), id);
  },
};
