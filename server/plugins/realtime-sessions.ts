import type { Server } from '@hapi/hapi';
import { liveBotSessionIds } from '../../domain/bots';
import type { AppContext } from '../../domain/context';
import type { SessionsEnded } from '../../domain/realtime';
import type { SessionUser } from '../types';

/**
 * A websocket keeps the credentials of its hello (nes requests over it reuse them), so its
 * session is watched for as long as it is open, and the socket is closed when the session
 * ends: its client's reconnection is then refused (401) and the client library tells the
 * app to sign in again.
 *
 * - Sign-out and revocation: at once, on every node (SocketSessions.end, fed by the Redis
 *   control channel; see domain/realtime/control.ts).
 * - Expiry: a timer per socket, at its session's end.
 * - A safety net for anything missed (a control message lost while Redis was away, an
 *   account disabled by hand in the database): every 30 s each node re-checks the sessions
 *   of all its sockets in one query, rather than nes on each socket's heartbeat (one query
 *   per socket: bursts of thousands that queue ahead of message sends).
 */
type Socket = {
  auth: { credentials?: { user?: SessionUser } | null };
  disconnect(): Promise<void>;
};

/** Longest delay setTimeout takes; a later expiry is left to the sweep. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long an ended session is remembered, for a hello whose check raced its sign-out. */
const ENDED_MEMORY_MS = 60_000;

/** Why a signed-in socket is refused by `add`. */
export type Refusal = 'ended' | 'too-many';

/**
 * The node's signed-in sockets, by session and by account: what `end` closes, and what the
 * per-account limit counts. The limit is per node (each node knows only its own sockets):
 * with N nodes an account may hold up to N × max sockets, still a bound, without a shared
 * counter that a crashed node would leave wrong.
 */
export class SocketSessions {
  private readonly bySession = new Map<number, Set<Socket>>();
  private readonly byAccount = new Map<number, Set<Socket>>();
  private readonly timers = new Map<Socket, NodeJS.Timeout>();
  private readonly endedSessions = new Map<number, number>();
  private readonly endedAccounts = new Map<number, number>();

  constructor(private readonly maxPerAccount: number) {}

  /** Registers a socket that has just signed in, or says why it may not stay. */
  add(socket: Socket): Refusal | null {
    const user = socket.auth.credentials?.user;
    if (!user) return null;
    this.forget(Date.now());
    if (this.endedSessions.has(user.sessionId) || this.endedAccounts.has(user.accountId)) {
      return 'ended';
    }
    if ((this.byAccount.get(user.accountId)?.size ?? 0) >= this.maxPerAccount) return 'too-many';
    addTo(this.bySession, user.sessionId, socket);
    addTo(this.byAccount, user.accountId, socket);
    const left = new Date(user.sessionExpiresAt).getTime() - Date.now();
    if (left <= MAX_TIMER_MS) {
      const timer = setTimeout(() => close(socket), Math.max(0, left));
      timer.unref();
      this.timers.set(socket, timer);
    }
    return null;
  }

  /** Forgets a closed socket (nes onDisconnection). */
  remove(socket: Socket): void {
    const user = socket.auth.credentials?.user;
    clearTimeout(this.timers.get(socket));
    this.timers.delete(socket);
    if (!user) return;
    removeFrom(this.bySession, user.sessionId, socket);
    removeFrom(this.byAccount, user.accountId, socket);
  }

  /** Closes the sockets of sessions or accounts that ended; returns how many. */
  end(ended: SessionsEnded): number {
    const now = Date.now();
    this.forget(now);
    const doomed = new Set<Socket>();
    for (const id of ids(ended.sessions)) {
      this.endedSessions.delete(id); // re-inserted last: the memory stays in time order
      this.endedSessions.set(id, now);
      for (const socket of this.bySession.get(id) ?? []) doomed.add(socket);
    }
    for (const id of ids(ended.accounts)) {
      this.endedAccounts.delete(id);
      this.endedAccounts.set(id, now);
      for (const socket of this.byAccount.get(id) ?? []) doomed.add(socket);
    }
    for (const socket of doomed) close(socket);
    return doomed.size;
  }

  private forget(now: number): void {
    for (const memory of [this.endedSessions, this.endedAccounts]) {
      for (const [id, at] of memory) {
        if (now - at < ENDED_MEMORY_MS) break; // insertion order is time order
        memory.delete(id);
      }
    }
  }
}

function ids(list: unknown): number[] {
  return Array.isArray(list) ? list.filter((id): id is number => Number.isSafeInteger(id)) : [];
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key) ?? new Set<V>();
  index.set(key, set);
  set.add(value);
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  set?.delete(value);
  if (set?.size === 0) index.delete(key);
}

function close(socket: Socket): void {
  Promise.resolve(socket.disconnect()).catch(() => undefined);
}

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
  // Bot tokens stand in for sessions under negative ids (domain/bots/tokens.ts).
  for (const id of await liveBotSessionIds(ctx, [...bySession.keys()])) live.add(id);
  let closed = 0;
  for (const [sessionId, sockets] of bySession) {
    if (live.has(sessionId)) continue;
    for (const socket of sockets) {
      closed++;
      close(socket);
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
