import type { IncomingMessage } from 'node:http';
import Boom from '@hapi/boom';
import type { Plugin } from '@hapi/hapi';
import Nes, { type Nes as NesTypes } from '@hapi/nes';
import Joi from 'joi';
import type { AppContext } from '../../domain/context';
import { announceTyping } from '../../domain/conversations';
import { type Envelope, realtimeChannel } from '../../domain/realtime';
import { createRedis } from '../../domain/redis';
import type { SessionUser } from '../types';
import { presentEvent } from './realtime-events';
import { scheduleSessionSweep, sweepSessions } from './realtime-sessions';

/** How often websocket sessions are re-checked (revoked, expired, account disabled). */
const SESSION_SWEEP_MS = 30_000;

interface RealtimeOptions {
  allowedOrigins: string[];
  maxPayloadBytes: number;
}

/** The one subscription of a client: its own events (nes advises few paths per client). */
export const USER_PATH = '/users/{accountId}';
export const userPath = (accountId: number) => `/users/${accountId}`;

type NesSocket = NesTypes.Socket & { auth: { credentials?: { user?: SessionUser } } };

/**
 * @hapi/nes, authenticated by the same bearer session as REST ("direct" auth: the client
 * sends the Authorization header in its hello). Browsers always send an Origin on a
 * websocket upgrade, so an Origin outside the allow-list is refused (cross-site websocket
 * hijacking); non-browser clients (bots, the benchmark) send none and rely on the token.
 *
 * Fan-out: domain functions publish events to one Redis channel after commit; every node
 * subscribes to it and hands each event to the sockets it holds for the accounts of the
 * event's audience, presented for each reader (locale, time zone). The node keeps its own
 * account → sockets index, because nes's publish() walks every subscriber of a
 * parameterised path for each message.
 */
export const realtimePlugin: Plugin<RealtimeOptions> = {
  name: 'relais-realtime',
  dependencies: ['relais-auth'],
  async register(server, options) {
    await server.register({
      plugin: Nes,
      options: {
        // nes would re-verify each socket's session on its heartbeat, one query per socket;
        // realtime-sessions.ts checks all the node's sockets in one query instead.
        auth: { type: 'direct', route: 'session', timeout: 5000, minAuthVerifyInterval: false },
        heartbeat: { interval: 20000, timeout: 10000 },
        onMessage: (socket: NesTypes.Socket, message: unknown) =>
          onClientMessage(server.app.ctx, socket as NesSocket, message),
      },
    });
    // nes gives neither an origin rule that admits Origin-less clients nor a payload bound,
    // but its ws server reads both options on every upgrade, so they are set here.
    const wss = (server.plugins as { nes?: { _listener?: { _wss?: { options: WsOptions } } } }).nes
      ?._listener?._wss;
    if (!wss) throw new Error('nes listener not found: check @hapi/nes version');
    wss.options.maxPayload = options.maxPayloadBytes;
    wss.options.verifyClient = ({ origin }: { origin?: string; req: IncomingMessage }) =>
      !origin || options.allowedOrigins.includes(origin);

    const sockets = new Map<number, Set<NesSocket>>();

    server.subscription(USER_PATH, {
      auth: { mode: 'required' },
      // Authorised at subscribe time: one's own path only. What each event may contain is
      // decided by the domain (the audience is computed from the database per event).
      async onSubscribe(socket, _path, params) {
        const user = (socket as NesSocket).auth.credentials?.user;
        if (!user || String(user.accountId) !== (params as { accountId: string }).accountId) {
          throw Boom.forbidden('Subscribe to your own events only');
        }
        const set = sockets.get(user.accountId) ?? new Set<NesSocket>();
        sockets.set(user.accountId, set);
        set.add(socket as NesSocket);
      },
      async onUnsubscribe(socket, _path, params) {
        const id = Number((params as { accountId: string }).accountId);
        const set = sockets.get(id);
        set?.delete(socket as NesSocket);
        if (set?.size === 0) sockets.delete(id);
      },
    });

    const { ctx } = server.app;
    const subscriber = createRedis(ctx.config.redisUrl, { enableAutoPipelining: false });
    const channel = realtimeChannel(ctx.config.redisPrefix);
    subscriber.on('message', (_channel: string, raw: string) => {
      let envelope: Envelope;
      try {
        envelope = JSON.parse(raw) as Envelope;
      } catch {
        ctx.logger.error({ raw: raw.slice(0, 200) }, 'malformed realtime envelope');
        return;
      }
      for (const accountId of envelope.audience) {
        const set = sockets.get(accountId);
        if (!set) continue;
        for (const socket of set) {
          const user = socket.auth.credentials?.user;
          // A socket re-authenticated as someone else no longer receives this account's events.
          if (!user || user.accountId !== accountId) continue;
          socket
            .publish(userPath(accountId), presentEvent(envelope.event, user))
            .catch(() => undefined); // a socket closing meanwhile: its client catches up later
        }
      }
    });
    subscriber.on('error', (err: Error) =>
      ctx.logger.warn({ err: err.message }, 'realtime subscriber: Redis unavailable'),
    );
    // Subscribed before the server takes requests when Redis is up; when it is down the
    // server starts anyway (REST works, /ready says Redis is down) and ioredis subscribes
    // on reconnection. Clients catch up on what they missed.
    server.ext('onPreStart', async () => {
      const subscribed = subscriber.subscribe(channel).then(() => true);
      subscribed.catch(() => undefined);
      const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref());
      if (!(await Promise.race([subscribed, timeout]))) {
        ctx.logger.warn({ channel }, 'realtime subscriber not ready yet: starting anyway');
      }
    });
    server.ext('onPostStop', () => {
      subscriber.disconnect();
    });
    scheduleSessionSweep(server, ctx, SESSION_SWEEP_MS);
    server.expose('sweepSessions', () => sweepSessions(server, ctx));
  },
};

const clientMessage = Joi.object({
  type: Joi.string().valid('typing').required(),
  conversationId: Joi.number().integer().positive().required(),
});

/** Messages a client sends on its socket (nes `client.message()`): typing indicators. */
async function onClientMessage(ctx: AppContext, socket: NesSocket, message: unknown) {
  const user = socket.auth.credentials?.user;
  if (!user) throw Boom.unauthorized('Sign-in required');
  const { error, value } = clientMessage.validate(message);
  if (error) throw Boom.badRequest(error.message);
  await announceTyping(ctx, user, value.conversationId);
  return { ok: true };
}

interface WsOptions {
  maxPayload?: number;
  verifyClient?: (info: { origin?: string; req: IncomingMessage }) => boolean;
}
