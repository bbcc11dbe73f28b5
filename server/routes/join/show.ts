import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { lookupInvitationLink } from '../../../domain/invitations';
import { ctxOf } from '../../types';
import { signUpPage, unusablePage } from './form';
import { langOf } from './texts';
import { countUnknown, joinThrottle } from './throttle';

/** The page behind the invitation link (public): sign-up form, or why the link is unusable. */
export const joinPageRoute: ServerRoute = {
  method: 'GET',
  path: '/join/{token}',
  options: {
    auth: false,
    // Public by design: the invitation link is the credential.
    plugins: { relais: { public: true } },
    ext: joinThrottle,
    description: 'Sign-up page of an invitation link (HTML)',
    validate: {
      params: Joi.object({ token: Joi.string().max(100).required() }),
      query: Joi.object({ lang: Joi.string().valid('fr', 'en') }),
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const { token } = request.params as { token: string };
    const lookup = await lookupInvitationLink(ctx, token);
    if (lookup.state === 'unknown') await countUnknown(request);
    const lang = langOf((request.query as { lang?: string }).lang ?? lookup.prefill?.locale);
    if (lookup.state !== 'valid') return unusablePage(h, lookup.state, lang, ctx.config.publicUrl);
    return signUpPage(h, token, lookup, { values: { locale: lang } });
  },
};
