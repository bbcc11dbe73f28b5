import type { Server } from '@hapi/hapi';
import type { AppContext } from '../../domain/context';
import type { SessionUser } from '../types';

/**
 * Websocket sessions are re-checked here, in one query for every socket of the node, rather
 * than by nes on each socket's heartbeat (one query per socket: with thousands of sockets
 * connected at once, bursts of thousands of queries that queue ahead of message sends).
 * A socket whose session was revoked or expired, or whose account was disabled, is
 * disconnected: its client's reconnection is refused (401) and the client library tells
 * the app to sign in again. The check also covers nes requests, which reuse the socket's
 * credentials.
 */
type Socket = {
  auth: { credentials?: { user?: SessionUser } | null };
  disconnect(): Promise<void>;
};

export async function sweepSessions(server: Server, ctx: AppContext): Promise<number> {
  const bySession = new Map<number, Socket[]>();
  await server.eachSocket((socket) => {
    const user = (socket as unknown as Socket).auth.credentials?.user;
    if (!user) return;
    const list = bySession.get(user.sessionId) ?? [];
    list.push(socket as unknown as Socket);
    bySession.set(user.sessionId, list);
  });
  if (bySession.size === 0) return 0;
  const { rows } = await ctx.db.raw(
    `SELECT s.id FROM sessions s JOIN accounts a ON a.id = s.account_id
      WHERE s.id = ANY(?) AND s.revoked_at IS NULL AND s.expires_at > now() AND a.disabled_at IS NULL`,
    [[...bySession.keys()]],
  );
  const live = new Set((rows as Array<{ id: number }>).map((r) => Number(r.id)));
  let closed = 0;
  for (const [sessionId, sockets] of bySession) {
    if (live.has(sessionId)) continue;
    for (const socket of sockets) {
      closed++;
      Promise.resolve(socket.disconnect()).catch(() => undefined);
    }
  }
  return closed;
}

/** Runs the sweep every `intervalMs` while the server runs. */
export function scheduleSessionSweep(server: Server, ctx: AppContext, intervalMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  server.ext('onPostStart', () => {
    timer = setInterval(() => {
      sweepSessions(server, ctx).catch((err) =>
        ctx.logger.error({ err }, 'websocket session sweep failed'),
      );
    }, intervalMs);
    timer.unref();
  });
  server.ext('onPreStop', () => {
    clearInterval(timer);
  });
}
