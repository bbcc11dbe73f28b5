import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  acceptInvitation,
  type JoinInput,
  LinkUnusableError,
  lookupInvitationLink,
} from '../../../domain/invitations';
import { clientIp } from '../../client-ip';
import { ctxOf } from '../../types';
import { text } from '../../validation';
import { signUpPage, unusablePage } from './form';
import { escapeHtml, page, wantsJson } from './html';
import { JOIN_TEXTS, langOf } from './texts';
import { countUnknown, joinThrottle } from './throttle';

const payload = Joi.object({
  firstName: text(100).trim().min(1).required(),
  lastName: text(100).trim().min(1).required(),
  email: Joi.string().trim().email({ tlds: false }).max(254).required(),
  password: Joi.string().min(12).max(1024).required().messages({
    'string.min': 'The password must be at least 12 characters long',
  }),
  locale: Joi.string().valid('fr', 'en'),
});

/**
 * Joining: creates the account (not bound to the directory identity it claims until that is
 * verified, see domain/invitations/join.ts), marks the link used, and (JSON clients)
 * returns a session and the conversation the inviter shared. A form post gets a page: the
 * form again with the problem, or "your account is ready". Throttled per address.
 */
export const joinSubmitRoute: ServerRoute = {
  method: 'POST',
  path: '/join/{token}',
  options: {
    auth: false,
    // Public by design: the invitation link is the credential.
    plugins: { relais: { public: true } },
    ext: joinThrottle,
    tags: ['api'],
    description: 'Create an account from an invitation link (form post or JSON)',
    validate: {
      params: Joi.object({ token: Joi.string().max(100).required() }),
      payload,
      async failAction(request, h, err) {
        if (wantsJson(request.headers)) throw Boom.badRequest(err?.message ?? 'Invalid request');
        const ctx = ctxOf(request);
        const { token } = request.params as { token: string };
        const lookup = await lookupInvitationLink(ctx, token);
        if (lookup.state === 'unknown') await countUnknown(request);
        const values = (request.payload ?? {}) as Record<string, string>;
        if (lookup.state !== 'valid') {
          return unusablePage(
            h,
            lookup.state,
            langOf(values.locale),
            ctx.config.publicUrl,
          ).takeover();
        }
        return signUpPage(h, token, lookup, {
          values,
          error: err?.message,
          status: 400,
        }).takeover();
      },
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const { token } = request.params as { token: string };
    const input = request.payload as JoinInput;
    const json = wantsJson(request.headers);
    const lang = langOf(input.locale);
    try {
      const joined = await acceptInvitation(ctx, token, input, {
        ip: clientIp(request),
        userAgent: request.headers['user-agent'] as string | undefined,
      });
      if (json) {
        return h
          .response({
            token: joined.token,
            expiresAt: joined.expiresAt.toISOString(),
            accountId: joined.accountId,
            conversationIds: joined.conversationIds,
            conversationId: joined.conversationId,
          })
          .code(201);
      }
      const t = JOIN_TEXTS[lang];
      return page(h, {
        lang,
        title: t.done,
        status: 201,
        body: `<h1>${escapeHtml(t.done)}</h1><p>${escapeHtml(t.doneBody(joined.conversationIds.length))}</p><p><a href="${escapeHtml(ctx.config.publicUrl)}/">${escapeHtml(t.signIn)}</a></p>`,
      });
    } catch (err) {
      if (err instanceof LinkUnusableError) {
        if (err.state === 'unknown') await countUnknown(request);
        if (json)
          throw Boom.resourceGone(`This invitation link is ${err.state}`, { state: err.state });
        return unusablePage(h, err.state, lang, ctx.config.publicUrl);
      }
      if (Boom.isBoom(err) && err.output.statusCode === 409 && !json) {
        const lookup = await lookupInvitationLink(ctx, token);
        if (lookup.state === 'valid') {
          return signUpPage(h, token, lookup, {
            values: input as unknown as Record<string, string>,
            error: err.message,
            status: 409,
          });
        }
      }
      throw err;
    }
  },
};
