import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { signIn } from '../../../domain/accounts';
import { clientIp } from '../../client-ip';
import { presentSession } from '../../presenters/account';
import { ctxOf } from '../../types';

export const loginRoute: ServerRoute = {
  method: 'POST',
  path: '/api/auth/login',
  options: {
    auth: false,
    tags: ['api'],
    description: 'Sign in with e-mail and password; returns a bearer session token',
    validate: {
      payload: Joi.object({
        email: Joi.string().email({ tlds: false }).max(254).required(),
        password: Joi.string().min(1).max(1024).required(),
      }),
    },
  },
  async handler(request, h) {
    const { email, password } = request.payload as { email: string; password: string };
    const result = await signIn(ctxOf(request), email, password, {
      ip: clientIp(request),
      userAgent: request.headers['user-agent'] as string | undefined,
    });
    return h.response(presentSession(result)).code(201);
  },
};
