import Boom from '@hapi/boom';
import type { Request, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { createSession, resolveSession } from '../../../../domain/accounts';
import { Account } from '../../../../domain/models';
import {
  accountForProfessional,
  PscError,
  type PscErrorCode,
  pscMessage,
  rememberIdToken,
  takeHandoff,
  type VerifiedProfessional,
} from '../../../../domain/psc';
import { clientIp } from '../../../client-ip';
import { bearerToken } from '../../../plugins/auth';
import { presentSession } from '../../../presenters/account';
import { ctxOf } from '../../../types';

/**
 * The page that started a Pro Santé Connect sign-in trades the handoff code it received
 * (pop-up message or URL fragment) for a session: the same answer as POST
 * /api/auth/login. The code works once, for 60 seconds.
 */
/**
 * The end of "Vérifier mon identité": the identity is bound to the account only when this
 * request carries that account's own session. Whoever else holds the handoff (someone
 * who clicked a link to another account's verification) binds nothing.
 */
async function bindVerified(request: Request, accountId: number, verified: VerifiedProfessional) {
  const ctx = ctxOf(request);
  const bearer = bearerToken(request);
  const resolved = bearer ? await resolveSession(ctx, bearer) : null;
  if (resolved?.account.id !== accountId) {
    request.log(['warn'], { msg: 'Pro Santé Connect verification exchanged by another page' });
    throw refusal('verify-elsewhere', 403);
  }
  try {
    await accountForProfessional(ctx, verified, { intentAccountId: accountId, invitation: null });
  } catch (err) {
    if (err instanceof PscError) throw refusal(err.code, 409);
    throw err;
  }
}

function refusal(code: PscErrorCode, status: 403 | 409) {
  const error = new Boom.Boom(pscMessage(code, 'en'), { statusCode: status });
  (error.output.payload as unknown as Record<string, unknown>).code = code;
  return error;
}

export const pscExchangeRoute: ServerRoute = {
  method: 'POST',
  path: '/api/auth/psc/exchange',
  options: {
    auth: false,
    // Public by design: the handoff code is the credential (256 random bits, 60 s, once).
    plugins: { relais: { public: true } },
    tags: ['api'],
    description: 'Exchange a Pro Santé Connect handoff code for a session',
    validate: {
      payload: Joi.object({
        handoff: Joi.string()
          .pattern(/^[A-Za-z0-9_-]{20,100}$/)
          .required()
          .messages({ 'string.pattern.base': '"handoff" is not a handoff code' }),
      }),
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const { handoff } = request.payload as { handoff: string };
    const found = await takeHandoff(ctx, handoff);
    if (!found) {
      throw Boom.resourceGone(
        'This Pro Santé Connect sign-in was already used or has expired: sign in again',
      );
    }
    if (found.bind) await bindVerified(request, found.accountId, found.bind);
    const account = await Account.query(ctx.db).findById(found.accountId);
    if (!account || account.disabled_at) throw Boom.forbidden('This account is disabled');
    const session = await createSession(ctx, account.id, 'psc', {
      ip: clientIp(request),
      userAgent: request.headers['user-agent'] as string | undefined,
    });
    if (found.idToken) await rememberIdToken(ctx, session.session.id, found.idToken);
    return h.response(presentSession({ ...session, account })).code(201);
  },
};
