import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { unsubscribeReminders, unsubscribeTarget } from '../../../domain/inactivity';
import { ctxOf } from '../../types';
import { escapeHtml, page } from './html';
import { countUnknown, joinThrottle } from './throttle';

const T = {
  fr: {
    title: 'Rappels Relais',
    ask: 'Ne plus recevoir les rappels de Relais quand des messages vous attendent ?',
    button: 'Ne plus recevoir ces rappels',
    done: 'C’est fait : vous ne recevrez plus de rappels.',
    unknown: 'Ce lien n’est pas valide.',
  },
  en: {
    title: 'Relais reminders',
    ask: 'Stop receiving Relais reminders when messages are waiting for you?',
    button: 'Stop these reminders',
    done: 'Done: you will receive no more reminders.',
    unknown: 'This link is not valid.',
  },
};

const params = Joi.object({ token: Joi.string().max(100).required() });

/** The reminder's unsubscribe link, without signing in: GET asks, POST unsubscribes. */
export const unsubscribePageRoute: ServerRoute = {
  method: 'GET',
  path: '/unsubscribe/{token}',
  options: {
    auth: false,
    // Public by design: the link works without signing in.
    plugins: { relais: { public: true } },
    // A token endpoint like the invitation links: the same per-IP limits, unknown tokens
    // counted against the stricter one.
    ext: joinThrottle,
    description: 'Reminder unsubscribe page (HTML)',
    validate: { params },
  },
  async handler(request, h) {
    const { token } = request.params as { token: string };
    const target = await unsubscribeTarget(ctxOf(request), token);
    const lang = target?.locale === 'en' ? 'en' : 'fr';
    const t = T[lang];
    if (!target) {
      await countUnknown(request);
      return page(h, {
        lang,
        title: t.title,
        status: 404,
        body: `<h1>${t.title}</h1><p>${t.unknown}</p>`,
      });
    }
    if (target.unsubscribed) {
      return page(h, { lang, title: t.title, body: `<h1>${t.title}</h1><p>${t.done}</p>` });
    }
    return page(h, {
      lang,
      title: t.title,
      body: `<h1>${t.title}</h1><p>${t.ask}</p><form method="post" action="/unsubscribe/${escapeHtml(token)}"><button type="submit">${t.button}</button></form>`,
    });
  },
};

/** Also the RFC 8058 one-click target (List-Unsubscribe-Post). */
export const unsubscribeRoute: ServerRoute = {
  method: 'POST',
  path: '/unsubscribe/{token}',
  options: {
    auth: false,
    plugins: { relais: { public: true } },
    ext: joinThrottle,
    description: 'Stop inactivity reminders (one-click, no sign-in)',
    validate: {
      params,
      payload: Joi.object({ 'List-Unsubscribe': Joi.string().max(40) }).allow(null),
    },
  },
  async handler(request, h) {
    const { token } = request.params as { token: string };
    const ctx = ctxOf(request);
    const target = await unsubscribeTarget(ctx, token);
    const lang = target?.locale === 'en' ? 'en' : 'fr';
    const t = T[lang];
    if (!target || !(await unsubscribeReminders(ctx, token))) {
      if (!target) await countUnknown(request);
      return page(h, {
        lang,
        title: t.title,
        status: 404,
        body: `<h1>${t.title}</h1><p>${t.unknown}</p>`,
      });
    }
    return page(h, { lang, title: t.title, body: `<h1>${t.title}</h1><p>${t.done}</p>` });
  },
};
