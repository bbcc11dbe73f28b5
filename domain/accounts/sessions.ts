import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context';
import { type Account, Session } from '../models';
import { publishSessionsEnded } from '../realtime';

/**
 * Sessions are opaque bearer tokens: the client keeps the token (memory or storage of its
 * own origin) and sends it as `Authorization: Bearer …` on REST calls and in the nes
 * `hello`, so the same mechanism works embedded in an intranet on another origin, where
 * third-party cookies are blocked. Only the token's SHA-256 is stored.
 */
export const TOKEN_PREFIX = 'rls_';

export interface NewSession {
  token: string;
  expiresAt: Date;
  session: Session;
}

export interface SessionMeta {
  ip?: string | null;
  userAgent?: string | null;
  integrationId?: string | null;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export async function createSession(
  ctx: AppContext,
  accountId: number,
  method: Session['method'],
  meta: SessionMeta = {},
): Promise<NewSession> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ctx.config.sessionTtlSeconds * 1000);
  const session = await Session.query(ctx.db).insertAndFetch({
    account_id: accountId,
    token_hash: hashToken(token),
    method,
    integration_id: meta.integrationId ?? null,
    ip: meta.ip ?? null,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
    expires_at: expiresAt,
  });
  // A sign-in is activity: the account is active from now on.
  await touchActivity(ctx, accountId, { force: true });
  return { token, expiresAt, session };
}

/** What a request needs of its session and account, read in one query. */
export interface ResolvedSession {
  sessionId: number;
  expiresAt: Date;
  account: Pick<
    Account,
    | 'id'
    | 'professional_id'
    | 'first_name'
    | 'last_name'
    | 'locale'
    | 'time_zone'
    | 'is_admin'
    | 'kind'
  >;
}

/**
 * The live session and account behind a token, or null (unknown, expired, revoked,
 * disabled). Every authenticated request runs this, so it is one indexed join returning
 * plain rows, with no model hydration; no cache, so that a sign-out anywhere is honoured
 * at once by every node.
 */
export async function resolveSession(
  ctx: AppContext,
  token: string,
): Promise<ResolvedSession | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const { rows } = await ctx.db.raw(
    `SELECT s.id AS session_id, s.expires_at, a.id, a.professional_id, a.first_name,
            a.last_name, a.locale, a.time_zone, a.is_admin, a.kind
       FROM sessions s JOIN accounts a ON a.id = s.account_id
      WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > now()
        AND a.disabled_at IS NULL`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return null;
  const { session_id, expires_at, ...account } = row;
  return { sessionId: session_id, expiresAt: expires_at, account };
}

/** Whether a session is still valid (used to re-check long-lived websocket connections). */
export async function isSessionLive(ctx: AppContext, sessionId: number): Promise<boolean> {
  const row = await ctx
    .db('sessions')
    .join('accounts', 'accounts.id', 'sessions.account_id')
    .where('sessions.id', sessionId)
    .whereNull('sessions.revoked_at')
    .whereNull('accounts.disabled_at')
    .where('sessions.expires_at', '>', ctx.db.fn.now())
    .first('sessions.id');
  return Boolean(row);
}

/**
 * Ends a session: REST refuses its token at once (resolveSession has no cache), and every
 * server node closes its websockets as soon as the control message arrives.
 */
export async function revokeSession(ctx: AppContext, sessionId: number): Promise<void> {
  await Session.query(ctx.db)
    .patch({ revoked_at: new Date() })
    .where({ id: sessionId })
    .whereNull('revoked_at');
  await publishSessionsEnded(ctx, { sessions: [sessionId] });
}

/** Deletes sessions that ended more than a day ago (a housekeeping job runs it hourly). */
export async function purgeEndedSessions(ctx: AppContext): Promise<number> {
  return ctx
    .db('sessions')
    .where('expires_at', '<', ctx.db.raw("now() - interval '1 day'"))
    .orWhere('revoked_at', '<', ctx.db.raw("now() - interval '1 day'"))
    .delete();
}

// Per-process memory of the last activity write, so that most requests skip even the
// no-op UPDATE; the SQL condition below keeps it to one write per interval across nodes.
const lastWrite = new Map<number, number>();

/**
 * Records that the account is active (request, websocket connection, sign-in), at most
 * once per ACTIVITY_THROTTLE_SECONDS per account. The 30-day inactivity rules read it.
 */
export async function touchActivity(
  ctx: AppContext,
  accountId: number,
  { force = false } = {},
): Promise<void> {
  const throttle = ctx.config.activityThrottleSeconds;
  const now = Date.now();
  if (!force && now - (lastWrite.get(accountId) ?? 0) < throttle * 1000) return;
  lastWrite.set(accountId, now);
  if (lastWrite.size > 100_000) lastWrite.clear();
  await ctx.db.raw(
    `UPDATE accounts SET last_active_at = now()
      WHERE id = ? AND (last_active_at IS NULL OR last_active_at < now() - make_interval(secs => ?))`,
    [accountId, force ? 0 : throttle],
  );
}
