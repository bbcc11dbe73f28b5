import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { exchangeEmbedToken } from '../../../domain/accounts';
import { clientIp } from '../../client-ip';
import { presentSession } from '../../presenters/account';
import { ctxOf } from '../../types';

export const embedRoute: ServerRoute = {
  method: 'POST',
  path: '/api/auth/embed',
  options: {
    auth: false,
    tags: ['api'],
    description: 'Exchange an intranet-signed embed token (HS256 JWT) for a session',
    notes: 'See the README, "Embedding in an intranet", for the signing recipe.',
    validate: {
      payload: Joi.object({ token: Joi.string().max(4096).required() }),
    },
  },
  async handler(request, h) {
    const { token } = request.payload as { token: string };
    const result = await exchangeEmbedToken(ctxOf(request), token, {
      ip: clientIp(request),
      userAgent: request.headers['user-agent'] as string | undefined,
    });
    return h.response(presentSession(result)).code(201);
  },
};
