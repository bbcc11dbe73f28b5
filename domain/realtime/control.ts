import type { AppContext } from '../context';

/**
 * Sessions that ended (sign-out, revocation) or accounts whose sessions all ended (an
 * account disabled): every server node closes their websockets as soon as it hears of it.
 * A websocket keeps the credentials it was opened with, so without this it would go on
 * answering nes requests and receiving events until the next sweep (server/plugins/
 * realtime-sessions.ts), up to 30 s later, on a ward PC someone just signed out of.
 */
export interface SessionsEnded {
  sessions?: number[];
  accounts?: number[];
}

/** The control channel, beside the events one (channels take no ioredis key prefix). */
export function realtimeControlChannel(redisPrefix: string): string {
  return `${redisPrefix}:realtime:control`;
}

/**
 * Tells every node, after the change is committed. A failure is logged, not thrown: the
 * session is ended in the database, so reconnections are refused, and the periodic sweep
 * closes the open sockets.
 */
export async function publishSessionsEnded(ctx: AppContext, ended: SessionsEnded): Promise<void> {
  if (!ended.sessions?.length && !ended.accounts?.length) return;
  try {
    await ctx.redis.publish(realtimeControlChannel(ctx.config.redisPrefix), JSON.stringify(ended));
  } catch (err) {
    ctx.logger.error({ err }, 'ended sessions not announced to the realtime nodes');
  }
}
