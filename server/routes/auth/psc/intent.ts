import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { createIntent } from '../../../../domain/psc';
import { ctxOf, userOf } from '../../../types';
import { pscEnabled } from './start';

/**
 * "Vérifier mon identité": a one-time id (10 minutes) naming the signed-in account, for
 * GET /auth/psc/start?intent=…, so that the verified RPPS is bound to THIS account. The
 * start URL is opened by the browser without the bearer token, hence the id.
 */
export const pscIntentRoute: ServerRoute = {
  method: 'POST',
  path: '/api/auth/psc/intent',
  options: {
    tags: ['api'],
    description: 'Prepare a Pro Santé Connect identity verification of the signed-in account',
    validate: { payload: Joi.object({}).allow(null) },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    pscEnabled(ctx.config);
    const intent = await createIntent(ctx, userOf(request).accountId);
    return h.response({ intent }).code(201);
  },
};
