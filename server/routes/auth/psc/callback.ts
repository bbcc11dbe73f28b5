import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  accountForProfessional,
  browserDigest,
  checkIntent,
  completeAuthorization,
  PscError,
  saveHandoff,
  takeFlow,
} from '../../../../domain/psc';
import { ctxOf } from '../../../types';
import { browserCookie } from './browser-cookie';
import { deliver, errorPage } from './reply';
import { pscEnabled } from './start';

/**
 * The provider sends the browser back here. The state is taken (single use), the code
 * exchanged, the ID token and the signed userinfo verified (domain/psc/verify.ts), the
 * RPPS looked up in the directory and the account chosen (domain/psc/accounts.ts). The
 * page that started the flow receives a one-time handoff code (60 s), or why it failed.
 */
export const pscCallbackRoute: ServerRoute = {
  method: 'GET',
  path: '/auth/psc/callback',
  options: {
    auth: false,
    // Public by design: the provider's redirect; `state` is the credential.
    plugins: { relais: { public: true } },
    description: 'Pro Santé Connect redirect URI',
    validate: {
      query: Joi.object({
        code: Joi.string().max(2000),
        state: Joi.string().max(200).required(),
        error: Joi.string().max(200),
        error_description: Joi.string().max(2000),
        iss: Joi.string().max(2000),
        session_state: Joi.string().max(500),
      }),
      failAction: async (request, h) => {
        const ctx = ctxOf(request);
        return errorPage(h, 'state-expired', ctx.config.publicUrl).takeover();
      },
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const psc = pscEnabled(ctx.config);
    const { state } = request.query as { state: string };
    const flow = await takeFlow(ctx, state);
    if (!flow) return errorPage(h, 'state-expired', ctx.config.publicUrl);
    const channel = { mode: flow.mode, returnTo: flow.returnTo, lang: flow.lang };
    const browser = browserCookie(request);
    if (!browser || browserDigest(browser) !== flow.browser) {
      request.log(['warn'], { msg: 'Pro Santé Connect callback from another browser' });
      return deliver(h, channel, { error: 'other-browser' });
    }
    try {
      const callbackUrl = new URL(psc.redirectUrl);
      callbackUrl.search = request.url.search;
      const verified = await completeAuthorization(ctx, callbackUrl, state, flow);
      let handoff: string;
      let accountId: number;
      if (flow.intentAccountId !== null) {
        // A verification binds only at the exchange, made with the account's own session:
        // a link to someone else's intent must not bind the clicker's identity to it.
        accountId = flow.intentAccountId;
        await checkIntent(ctx, verified, accountId);
        handoff = await saveHandoff(ctx, { accountId, idToken: verified.idToken, bind: verified });
      } else {
        accountId = await accountForProfessional(ctx, verified, {
          intentAccountId: null,
          invitation: flow.invitation,
        });
        handoff = await saveHandoff(ctx, { accountId, idToken: verified.idToken });
      }
      request.log(['info'], { msg: 'Pro Santé Connect sign-in', accountId, acr: verified.acr });
      return deliver(h, channel, { handoff });
    } catch (err) {
      if (err instanceof PscError) {
        request.log(['warn'], {
          msg: 'Pro Santé Connect sign-in refused',
          code: err.code,
          detail: err.detail instanceof Error ? err.detail.message : err.detail,
        });
        return deliver(h, channel, { error: err.code });
      }
      request.log(['error'], { msg: 'Pro Santé Connect sign-in failed', err });
      return deliver(h, channel, { error: 'failed' });
    }
  },
};
