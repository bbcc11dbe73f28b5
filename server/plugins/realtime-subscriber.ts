import type { Server } from '@hapi/hapi';
import type { AppContext } from '../../domain/context';
import {
  type Envelope,
  realtimeChannel,
  realtimeControlChannel,
  type SessionsEnded,
} from '../../domain/realtime';
import { createRedis } from '../../domain/redis';

export interface SubscriberHandlers {
  /** An event for the sockets of its audience. */
  event(envelope: Envelope): void;
  /** Sessions or accounts whose sockets must close now (sign-out, revocation). */
  ended(ended: SessionsEnded): void;
  /** The subscription is back after an outage: what was published meanwhile is lost. */
  resubscribed(): void;
}

/**
 * The node's one Redis subscriber connection, on two channels: events to relay, and the
 * control channel that says which sessions ended. A handler that throws is logged, never
 * left to escape as an uncaught exception (the subscriber is an EventEmitter).
 *
 * Redis pub/sub keeps nothing for a subscriber that is away: when the connection drops and
 * comes back, every event published meanwhile is gone, while the websockets stayed up and
 * their clients saw nothing wrong. So after an outage, once subscribed again (ioredis
 * resubscribes on reconnection; subscribing once more here tells us when it is done), the
 * node calls `resubscribed` so that its clients run their catch-up.
 */
export function startSubscriber(server: Server, ctx: AppContext, handlers: SubscriberHandlers) {
  const subscriber = createRedis(ctx.config.redisUrl, { enableAutoPipelining: false });
  const events = realtimeChannel(ctx.config.redisPrefix);
  const control = realtimeControlChannel(ctx.config.redisPrefix);
  let lost = false;

  subscriber.on('message', (channel: string, raw: string) => {
    try {
      if (channel === events) handlers.event(JSON.parse(raw) as Envelope);
      else if (channel === control) handlers.ended(JSON.parse(raw) as SessionsEnded);
    } catch (err) {
      ctx.logger.error({ err, channel, raw: raw.slice(0, 200) }, 'realtime message not handled');
    }
  });
  subscriber.on('error', (err: Error) =>
    ctx.logger.warn({ err: err.message }, 'realtime subscriber: Redis unavailable'),
  );
  subscriber.on('close', () => {
    lost = true;
  });
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    subscriber.subscribe(events, control).then(
      () => {
        ctx.logger.warn('realtime subscriber back after an outage: clients told to catch up');
        handlers.resubscribed();
      },
      // Lost again before subscribing: the next 'ready' tries again.
      (err: Error) => ctx.logger.warn({ err: err.message }, 'realtime resubscription failed'),
    );
  });

  // Subscribed before the server takes requests when Redis is up; when it is down the
  // server starts anyway (REST works, /ready says Redis is down) and ioredis subscribes on
  // reconnection, which counts as an outage: clients connected meanwhile catch up.
  server.ext('onPreStart', async () => {
    const subscribed = subscriber.subscribe(events, control).then(() => true);
    subscribed.catch(() => undefined);
    const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref());
    if (!(await Promise.race([subscribed, timeout]))) {
      ctx.logger.warn({ channel: events }, 'realtime subscriber not ready yet: starting anyway');
    }
  });
  server.ext('onPostStop', () => {
    subscriber.disconnect();
  });
}
