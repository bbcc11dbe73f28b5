import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { revokeSession } from '../../../domain/accounts';
import { ctxOf, userOf } from '../../types';

export const logoutRoute: ServerRoute = {
  method: 'POST',
  path: '/api/auth/logout',
  options: {
    tags: ['api'],
    description: 'Sign out: the session token stops working at once',
    validate: { payload: Joi.object({}).allow(null) },
  },
  async handler(request, h) {
    await revokeSession(ctxOf(request), userOf(request).sessionId);
    return h.response().code(204);
  },
};
