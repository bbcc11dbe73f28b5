import type { IncomingMessage } from 'node:http';
import Boom from '@hapi/boom';
import type { Plugin } from '@hapi/hapi';
import Nes, { type Nes as NesTypes } from '@hapi/nes';
import Joi from 'joi';
import type { WebSocket, WebSocketServer } from 'ws';
import type { AppContext } from '../../domain/context';
import { announceTyping } from '../../domain/conversations';
import type { Envelope } from '../../domain/realtime';
import type { SessionUser } from '../types';
import { presentEvent } from './realtime-events';
import { guardFrames, sealFrames } from './realtime-frames';
import { SocketSessions, scheduleSessionSweep, sweepSessions } from './realtime-sessions';
import { startSubscriber } from './realtime-subscriber';

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
 *
 * Hardening (issue 10): every frame is checked against the nes protocol before nes reads it
 * (realtime-frames.ts); our own nes callbacks turn any bug into a Boom error instead of a
 * TypeError that nes would rethrow as an unhandled rejection; a socket is closed when its
 * session ends, on every node at once (realtime-sessions.ts, realtime-subscriber.ts); an
 * account holds at most WS_MAX_SOCKETS_PER_ACCOUNT sockets per node.
 */
export const realtimePlugin: Plugin<RealtimeOptions> = {
  name: 'relais-realtime',
  dependencies: ['relais-auth'],
  async register(server, options) {
    const { ctx } = server.app;
    const sessions = new SocketSessions(ctx.config.wsMaxSocketsPerAccount);
    await server.register({
      plugin: Nes,
      options: {
        // nes would re-verify each socket's session on its heartbeat, one query per socket;
        // realtime-sessions.ts checks all the node's sockets in one query instead.
        auth: { type: 'direct', route: 'session', timeout: 5000, minAuthVerifyInterval: false },
        heartbeat: { interval: 20000, timeout: 10000 },
        onConnection: guarded(ctx, 'onConnection', async (socket: NesTypes.Socket) =>
          admit(sessions, socket as NesSocket, ctx.config.wsMaxSocketsPerAccount),
        ),
        onDisconnection: (socket: NesTypes.Socket) => sessions.remove(socket as NesSocket),
        onMessage: guarded(ctx, 'onMessage', (socket: NesTypes.Socket, message: unknown) =>
          onClientMessage(ctx, socket as NesSocket, message),
        ),
      },
    });
    // nes gives neither an origin rule that admits Origin-less clients nor a payload bound,
    // but its ws server reads both options on every upgrade, so they are set here.
    const wss = (server.plugins as { nes?: { _listener?: { _wss?: WebSocketServer } } }).nes
      ?._listener?._wss;
    if (!wss) throw new Error('nes listener not found: check @hapi/nes version');
    const wsOptions = wss.options as WsOptions;
    wsOptions.maxPayload = options.maxPayloadBytes;
    wsOptions.verifyClient = ({ origin }: { origin?: string; req: IncomingMessage }) =>
      !origin || options.allowedOrigins.includes(origin);
    guardFrames(wss, {
      // A socket's identity is fixed for its life, so that sign-out, expiry and the
      // per-account limit apply to what the socket really is; a client with a new token
      // reconnects (the client library's reauthenticate() does).
      refuse: { reauth: 'Re-authentication is not supported: reconnect with the new token' },
      onInvalid: (verdict) => ctx.logger.debug({ verdict }, 'invalid websocket frame'),
      onFailure: (err) => ctx.logger.error({ err }, 'websocket frame failed in nes: socket closed'),
    });

    const sockets = new Map<number, Set<NesSocket>>();

    server.subscription(USER_PATH, {
      auth: { mode: 'required' },
      // Authorised at subscribe time: one's own path only. What each event may contain is
      // decided by the domain (the audience is computed from the database per event).
      onSubscribe: guarded(ctx, 'onSubscribe', async (socket, _path, params) => {
        const user = (socket as NesSocket).auth.credentials?.user;
        if (!user || String(user.accountId) !== (params as { accountId: string }).accountId) {
          throw Boom.forbidden('Subscribe to your own events only');
        }
        const set = sockets.get(user.accountId) ?? new Set<NesSocket>();
        sockets.set(user.accountId, set);
        set.add(socket as NesSocket);
      }),
      async onUnsubscribe(socket, _path, params) {
        const id = Number((params as { accountId: string }).accountId);
        const set = sockets.get(id);
        set?.delete(socket as NesSocket);
        if (set?.size === 0) sockets.delete(id);
      },
    });

    /** Hands an event to the node's sockets of one account. */
    const deliver = (accountId: number, event: Envelope['event']) => {
      for (const socket of sockets.get(accountId) ?? []) {
        const user = socket.auth.credentials?.user;
        if (!user || user.accountId !== accountId) continue;
        const presented = presentEvent(event, { ...user, files: server.app.files });
        if (presented === null) continue;
        // A socket closing meanwhile: its client catches up when it reconnects.
        socket.publish(userPath(accountId), presented).catch(() => undefined);
      }
    };

    startSubscriber(server, ctx, {
      event(envelope) {
        for (const accountId of envelope.audience) deliver(accountId, envelope.event);
      },
      ended(ended) {
        const closed = sessions.end(ended);
        if (closed > 0)
          ctx.logger.info({ ...ended, closed }, 'websockets of ended sessions closed');
      },
      resubscribed() {
        for (const accountId of sockets.keys()) deliver(accountId, { type: 'sync.required' });
      },
    });
    scheduleSessionSweep(server, ctx, SESSION_SWEEP_MS);
    server.expose('sweepSessions', () => sweepSessions(server, ctx));
  },
};

/**
 * A signed-in socket is registered for sign-out and expiry, or refused with an error on its
 * hello and closed once the error is sent: nes leaves a socket open after a failed hello
 * (for the client to read the error), and this one is already authenticated, so its frames
 * stop being read at once.
 */
async function admit(sessions: SocketSessions, socket: NesSocket, max: number): Promise<void> {
  const refusal = sessions.add(socket);
  if (!refusal) return;
  sealFrames((socket as unknown as { _ws: WebSocket })._ws);
  // nes's disconnect() returns its own Team object, not a promise: nothing to catch.
  setTimeout(() => void socket.disconnect());
  if (refusal === 'ended') throw Boom.unauthorized('Session expired or revoked: sign in again');
  throw Boom.tooManyRequests(
    `Too many open connections for this account (at most ${max}): close another window`,
  );
}

/**
 * nes rethrows "system" errors (TypeError, RangeError…) from these callbacks, and they end
 * as unhandled rejections that stop the process. Anything that is not a Boom error becomes
 * a logged 500 for that one frame.
 */
function guarded<A extends unknown[], R>(
  ctx: AppContext,
  name: string,
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (Boom.isBoom(err)) throw err;
      ctx.logger.error({ err }, `realtime ${name} failed`);
      throw Boom.internal();
    }
  };
}

const clientMessage = Joi.object({
  type: Joi.string().valid('typing').required(),
  conversationId: Joi.number().integer().positive().max(2_147_483_647).required(),
}).required();

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
