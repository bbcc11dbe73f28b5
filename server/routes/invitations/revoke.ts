import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { revokeInvitation } from '../../../domain/invitations';
import { ctxOf, userOf } from '../../types';

export const revokeInvitationRoute: ServerRoute = {
  method: 'POST',
  path: '/api/invitations/{id}/revoke',
  options: {
    tags: ['api'],
    description: 'Cancel the invitation: its link stops working at once',
    validate: {
      params: Joi.object({ id: Joi.number().integer().positive().required() }),
      payload: Joi.object({}).allow(null),
    },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    return revokeInvitation(ctxOf(request), userOf(request), id);
  },
};
