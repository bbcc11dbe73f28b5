import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { resendInvitation } from '../../../domain/invitations';
import { ctxOf, userOf } from '../../types';
import { id } from '../../validation';

export const resendInvitationRoute: ServerRoute = {
  method: 'POST',
  path: '/api/invitations/{id}/resend',
  options: {
    tags: ['api'],
    description: 'Send the invitation again with a new link (the previous link stops working)',
    validate: {
      params: Joi.object({ id: id.required() }),
      payload: Joi.object({}).allow(null),
    },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    return resendInvitation(ctxOf(request), userOf(request), id);
  },
};
