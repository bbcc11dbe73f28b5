import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { revokeSession } from '../../../domain/accounts';
import { endSessionUrl, takeIdToken } from '../../../domain/psc';
import { ctxOf, userOf } from '../../types';

/**
 * Sign-out. A Pro Santé Connect session also has a session at the provider: when it
 * offers an end-session endpoint, the answer is 200 with the URL to send the browser to
 * (the client navigates there, the provider comes back to PUBLIC_URL); otherwise 204.
 */
export const logoutRoute: ServerRoute = {
  method: 'POST',
  path: '/api/auth/logout',
  options: {
    tags: ['api'],
    description: 'Sign out: the session token stops working at once',
    notes:
      'Pro Santé Connect sessions may answer 200 { endSessionUrl } to end the provider session too.',
    validate: { payload: Joi.object({}).allow(null) },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const { sessionId } = userOf(request);
    await revokeSession(ctx, sessionId);
    if (!ctx.config.psc) return h.response().code(204);
    const session = await ctx.db('sessions').where({ id: sessionId }).first('method');
    if (session?.method !== 'psc') return h.response().code(204);
    try {
      const url = await endSessionUrl(ctx, await takeIdToken(ctx, sessionId));
      return url ? h.response({ endSessionUrl: url }).code(200) : h.response().code(204);
    } catch (err) {
      // Signed out of Relais all the same; the provider's session ends on its own.
      request.log(['warn'], { msg: 'Pro Santé Connect end-session URL unavailable', err });
      return h.response().code(204);
    }
  },
};
