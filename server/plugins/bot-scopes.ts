import Boom from '@hapi/boom';
import type { Plugin, Request, RouteSettings } from '@hapi/hapi';
import { type BotScope, botTokenIdOf, isBotScope } from '../../domain/bots';
import { consume, tooMany } from '../../domain/rate-limit';
import type { SessionUser } from '../types';

/**
 * What a bot token may call (docs/bots.md). A route open to bots says which scope it needs:
 *
 *   options: { plugins: { relais: { botScope: 'messages:write' } } }
 *
 * and every other route refuses bot tokens, so that a route added later is closed to bots
 * until someone decides otherwise. Each request of a bot token is also counted against
 * BOT_RATE_PER_MINUTE (per token, in Redis, like the sign-in limits).
 *
 * Runs after authentication, before validation and the handler, on REST and on nes
 * requests alike (nes injects them). nes's own internal hello route is let through: the
 * subscription itself is limited to the account's own events by the realtime plugin.
 */
export function botScopeOf(settings: RouteSettings): BotScope | null {
  const scope = (settings.plugins as { relais?: { botScope?: unknown } } | undefined)?.relais
    ?.botScope;
  return isBotScope(scope) ? scope : null;
}

export const botScopesPlugin: Plugin<void> = {
  name: 'relais-bot-scopes',
  dependencies: ['relais-auth'],
  register(server) {
    // A typo in a route's botScope would silently close it to bots: refuse it at boot.
    server.ext('onPreStart', () => {
      for (const route of server.table()) {
        const declared = (route.settings.plugins as { relais?: { botScope?: unknown } })?.relais
          ?.botScope;
        if (declared !== undefined && !isBotScope(declared)) {
          throw new Error(`${route.method} ${route.path}: unknown botScope ${String(declared)}`);
        }
      }
    });

    server.ext('onPostAuth', async (request: Request, h) => {
      const user = request.auth.credentials?.user as SessionUser | undefined;
      const tokenId = user ? botTokenIdOf(user.sessionId) : null;
      if (tokenId === null || request.route.settings.isInternal) return h.continue;

      const { ctx } = request.server.app;
      const limit = ctx.config.botRatePerMinute;
      const decision = await consume(ctx.redis, `bot:rate:${tokenId}`, limit, 60);
      if (!decision.allowed) {
        throw tooMany(
          `Too many requests with this bot token (at most ${limit} a minute).`,
          decision.retryAfterSeconds,
        );
      }

      const needed = botScopeOf(request.route.settings);
      if (!needed) {
        throw Boom.forbidden(
          `This token does not allow ${request.method.toUpperCase()} ${request.route.path}: bots may call only the routes listed in docs/bots.md`,
        );
      }
      const granted = (request.auth.credentials.scope ?? []) as string[];
      if (!granted.includes(needed)) {
        throw Boom.forbidden(`This token does not allow ${needed}`);
      }
      return h.continue;
    });
  },
};
