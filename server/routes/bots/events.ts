import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { pullEvents } from '../../../domain/webhooks';
import { ctxOf, userOf } from '../../types';

/**
 * The pull API (issue 12, docs/bots.md): a bot behind a firewall reads its events in
 * order instead of receiving them, with the same bodies as the webhook requests.
 */
export const pullEventsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/bots/me/events',
  options: {
    tags: ['api'],
    description: "The calling bot's events after a cursor, in order (bot token, events:read)",
    notes:
      'Each event has `id` (its webhook-id), `cursor`, `type`, `timestamp` and `data`. Ask ' +
      'again with `after=nextCursor`; events are kept whether or not a webhook delivered them.',
    plugins: { relais: { botScope: 'events:read' } },
    validate: {
      query: Joi.object({
        after: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
        limit: Joi.number().integer().min(1).max(500).default(100),
      }),
    },
  },
  async handler(request) {
    const user = userOf(request);
    if (user.kind !== 'bot') throw Boom.forbidden('Only a bot token reads its events');
    const { after, limit } = request.query as { after: number; limit: number };
    return pullEvents(ctxOf(request), user.accountId, { after, limit });
  },
};
