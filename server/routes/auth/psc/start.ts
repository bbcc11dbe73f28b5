import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import * as oidc from 'openid-client';
import type { Config } from '../../../../domain/config';
import { checkLinkForVerifiedJoin, LinkUnusableError } from '../../../../domain/invitations';
import {
  authorizationUrl,
  browserDigest,
  newId,
  PscError,
  type PscFlow,
  saveFlow,
  takeIntent,
} from '../../../../domain/psc';
import { consume, tooMany } from '../../../../domain/rate-limit';
import { clientIp } from '../../../client-ip';
import { ctxOf } from '../../../types';
import { browserCookie, setBrowserCookie } from './browser-cookie';
import { deliver } from './reply';

/** Where the result may be sent: Relais itself or an intranet allowed to embed it. */
function allowedReturn(config: Config, returnTo: string): boolean {
  const origin = new URL(returnTo).origin;
  return origin === new URL(config.publicUrl).origin || config.allowedOrigins.includes(origin);
}

export function pscEnabled(config: Config) {
  if (!config.psc) throw Boom.notFound('Pro Santé Connect is not enabled on this installation');
  return config.psc;
}

/**
 * Starts a Pro Santé Connect sign-in: keeps the PKCE verifier, nonce and where to answer
 * in Redis under a random `state` (10 minutes, single use) and sends the browser to the
 * provider. `intent` (from POST /api/auth/psc/intent) binds the identity to the signed-in
 * account; `invitation` (a join link's token) uses that link.
 */
export const pscStartRoute: ServerRoute = {
  method: 'GET',
  path: '/auth/psc/start',
  options: {
    auth: false,
    // Public by design: this is how one signs in.
    plugins: { relais: { public: true } },
    description: 'Start a Pro Santé Connect sign-in (302 to the provider)',
    validate: {
      query: Joi.object({
        mode: Joi.string().valid('popup', 'redirect').required(),
        returnTo: Joi.string()
          .uri({ scheme: ['http', 'https'] })
          .max(2000)
          .required(),
        invitation: Joi.string()
          .pattern(/^[A-Za-z0-9_-]{10,100}$/)
          .messages({ 'string.pattern.base': '"invitation" must be an invitation link token' }),
        intent: Joi.string()
          .pattern(/^[A-Za-z0-9_-]{20,100}$/)
          .messages({ 'string.pattern.base': '"intent" must be an intent id' }),
        lang: Joi.string().valid('fr', 'en').default('fr'),
      }).oxor('invitation', 'intent'),
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    pscEnabled(ctx.config);
    const q = request.query as {
      mode: 'popup' | 'redirect';
      returnTo: string;
      invitation?: string;
      intent?: string;
      lang: 'fr' | 'en';
    };
    if (!allowedReturn(ctx.config, q.returnTo)) {
      throw Boom.badRequest(
        '"returnTo" must be on Relais’s own origin or on an origin listed in ALLOWED_ORIGINS',
      );
    }
    const { loginMaxPerIp, loginWindowSeconds } = ctx.config;
    const decision = await consume(
      ctx.redis,
      `psc:start:${clientIp(request)}`,
      loginMaxPerIp,
      loginWindowSeconds,
    );
    if (!decision.allowed) {
      throw tooMany(
        'Too many Pro Santé Connect sign-ins from your address.',
        decision.retryAfterSeconds,
      );
    }
    const channel = { mode: q.mode, returnTo: q.returnTo, lang: q.lang };
    let intentAccountId: number | null = null;
    if (q.intent) {
      intentAccountId = await takeIntent(ctx, q.intent);
      if (intentAccountId === null) return deliver(h, channel, { error: 'intent-expired' });
    }
    if (q.invitation) {
      // An unusable link is said at once, not after the round-trip to the provider.
      try {
        await checkLinkForVerifiedJoin(ctx, q.invitation);
      } catch (err) {
        if (!(err instanceof LinkUnusableError)) throw err;
        request.log(['info'], {
          msg: 'Pro Santé Connect start with an unusable invitation link',
          state: err.state,
        });
        return deliver(h, channel, { error: 'invitation-unusable' });
      }
    }
    // The browser that starts is the one that must come back (login CSRF: otherwise an
    // attacker could stop before their own callback and send that link to a victim, who
    // would be signed in as the attacker). An existing cookie is kept, so that two flows
    // in two tabs of one browser both work.
    const browser = browserCookie(request) ?? newId();
    const flow: PscFlow = {
      verifier: oidc.randomPKCECodeVerifier(),
      nonce: oidc.randomNonce(),
      ...channel,
      invitation: q.invitation ?? null,
      intentAccountId,
      browser: browserDigest(browser),
    };
    try {
      const state = await saveFlow(ctx, flow);
      const url = await authorizationUrl(ctx, {
        state,
        nonce: flow.nonce,
        verifier: flow.verifier,
      });
      return h
        .redirect(url)
        .code(302)
        .header('set-cookie', setBrowserCookie(browser, ctx.config.publicUrl));
    } catch (err) {
      if (!(err instanceof PscError)) throw err;
      request.log(['warn'], {
        msg: 'Pro Santé Connect unavailable',
        code: err.code,
        detail: String(err.detail),
      });
      return deliver(h, channel, { error: err.code });
    }
  },
};
