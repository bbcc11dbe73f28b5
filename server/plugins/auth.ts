import Boom from '@hapi/boom';
import type { Plugin, Request } from '@hapi/hapi';
import { isSessionLive, resolveSession, touchActivity } from '../../domain/accounts';
import { botTokenIdOf, isBotToken, isBotTokenLive, resolveBotToken } from '../../domain/bots';
import type { SessionUser } from '../types';

/**
 * The one authentication mechanism, for REST and websockets alike: a bearer session token
 * in the Authorization header (nes passes the same header in its `hello`). It is the
 * server's default strategy, so a route is authenticated unless it says `auth: false`.
 */
export function bearerToken(request: Request): string | null {
  const header = request.headers.authorization as string | undefined;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

export const authPlugin: Plugin<void> = {
  name: 'relais-auth',
  register(server) {
    server.auth.scheme('relais-session', () => ({
      async authenticate(request, h) {
        const token = bearerToken(request);
        if (!token) throw Boom.unauthorized('Sign-in required', 'Bearer');
        const { ctx } = request.server.app;
        // A bot's API token (docs/bots.md) stands in for a session; what it may call is
        // decided after authentication by plugins/bot-scopes.ts.
        const bot = isBotToken(token) ? await resolveBotToken(ctx, token) : null;
        const resolved = bot ?? (await resolveSession(ctx, token));
        if (!resolved) {
          throw isBotToken(token)
            ? Boom.unauthorized('Bot token unknown or revoked, or bot disabled', 'Bearer')
            : Boom.unauthorized('Session expired or revoked: sign in again', 'Bearer');
        }
        const { sessionId, expiresAt, account } = resolved;
        const user: SessionUser = {
          accountId: account.id,
          professionalId: account.professional_id,
          sessionId,
          sessionExpiresAt: expiresAt,
          firstName: account.first_name,
          lastName: account.last_name,
          locale: account.locale,
          timeZone: account.time_zone,
          isAdmin: account.is_admin,
          kind: account.kind,
        };
        touchActivity(ctx, account.id).catch((err) =>
          request.log(['error'], { err, msg: 'last activity not recorded' }),
        );
        return h.authenticated({
          credentials: { user, scope: bot ? bot.scopes : account.is_admin ? ['admin'] : [] },
        });
      },
      // nes calls this on heartbeats: a websocket whose session was revoked or has expired
      // is disconnected instead of living on with stale credentials.
      async verify(auth) {
        const user = auth.credentials.user as SessionUser | undefined;
        if (!user) throw Boom.unauthorized('Sign-in required', 'Bearer');
        const botTokenId = botTokenIdOf(user.sessionId);
        const live =
          botTokenId === null
            ? await isSessionLive(server.app.ctx, user.sessionId)
            : await isBotTokenLive(server.app.ctx, botTokenId);
        if (!live) {
          throw Boom.unauthorized('Session expired or revoked: sign in again', 'Bearer');
        }
      },
    }));
    server.auth.strategy('session', 'relais-session');
    server.auth.default('session');
  },
};
