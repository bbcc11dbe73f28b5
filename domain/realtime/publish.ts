import type { AppContext } from '../context';
import { within } from '../within';
import type { Envelope, RealtimeEvent } from './events';

/**
 * Events go through one Redis pub/sub channel per deployment, so that a message stored by
 * any node or worker reaches the sockets of every node. ioredis does not apply its key
 * prefix to channels, hence the explicit prefix.
 */
export function realtimeChannel(redisPrefix: string): string {
  return `${redisPrefix}:realtime:events`;
}

/**
 * Publishes after commit. A failure is logged, not thrown: the data is stored, and clients
 * that missed the event get it from the catch-up they run after every reconnect.
 */
export async function publishEvent(
  ctx: AppContext,
  audience: number[],
  event: RealtimeEvent,
): Promise<void> {
  if (audience.length === 0) return;
  const envelope: Envelope = { audience, event };
  try {
    // The request that stored the data must not wait for a Redis outage (a message sent
    // took 70 s of ioredis retries). Readers catch up.
    await within(
      ctx.redis.publish(realtimeChannel(ctx.config.redisPrefix), JSON.stringify(envelope)),
      2000,
    );
  } catch (err) {
    ctx.logger.error({ err, type: event.type }, 'realtime event not published');
  }
}
