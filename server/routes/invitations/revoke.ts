import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { revokeInvitation } from '../../../domain/invitations';
import { ctxOf, userOf } from '../../types';
import { id } from '../../validation';

export const revokeInvitationRoute: ServerRoute = {
  method: 'POST',
  path: '/api/invitations/{id}/revoke',
  options: {
    tags: ['api'],
    description: 'Cancel the invitation: its link stops working at once',
    validate: {
      params: Joi.object({ id: id.required() }),
      payload: Joi.object({}).allow(null),
    },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    return revokeInvitation(ctxOf(request), userOf(request), id);
  },
};
