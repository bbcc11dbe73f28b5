import { randomBytes } from 'node:crypto';
import Boom from '@hapi/boom';
import { hashToken } from '../accounts';
import type { ResolvedSession } from '../accounts/sessions';
import type { AppContext } from '../context';
import { publishSessionsEnded } from '../realtime';
import { type BotActor, requireBot } from './access';
import type { BotScope } from './scopes';

/**
 * Bot API tokens: `rlb_<8 hex>_<43 base64url>`, 256 random bits after the visible prefix.
 * Shown once when created; only the SHA-256 of the whole token is stored (like sessions),
 * with the `rlb_<8 hex>` prefix for people to recognise it. Tokens do not expire: they are
 * revoked. Two may be valid at once, so that a rotation never leaves the bot without one
 * (create the new one, switch the integration to it, revoke the old).
 */
export const BOT_TOKEN_PREFIX = 'rlb_';
const TOKEN_FORMAT = /^rlb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;
export const MAX_ACTIVE_TOKENS = 2;

/**
 * A bot's token stands in for a session in the request's credentials. Its id is negated
 * so that it never collides with a session id: the websocket bookkeeping (sign-out, the
 * sweep; server/plugins/realtime-sessions.ts) keys sockets by session id.
 */
export const botSessionId = (tokenId: number) => -tokenId;
/** The token id behind a credentials' session id, or null for a person's session. */
export const botTokenIdOf = (sessionId: number) => (sessionId < 0 ? -sessionId : null);

/** Tokens do not expire; the websocket expiry timer is then never set. */
export const NEVER = new Date('9999-12-31T00:00:00Z');

export const isBotToken = (token: string) => token.startsWith(BOT_TOKEN_PREFIX);

export interface BotTokenView {
  id: number;
  prefix: string;
  label: string;
  scopes: BotScope[];
  createdAt: string;
  createdBy: number | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: a bot_tokens row
function toView(r: any): BotTokenView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: Number(r.id),
    prefix: r.prefix,
    label: r.label,
    scopes: r.scopes,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by === null ? null : Number(r.created_by),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

const VIEW_COLUMNS = [
  'id',
  'prefix',
  'label',
  'scopes',
  'created_at',
  'created_by',
  'last_used_at',
  'revoked_at',
];

/** Creates a token; the only time its secret is ever seen is in this result. */
export async function createBotToken(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  input: { scopes: BotScope[]; label?: string },
): Promise<{ token: string; view: BotTokenView }> {
  const prefix = `${BOT_TOKEN_PREFIX}${randomBytes(4).toString('hex')}`;
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const row = await ctx.db.transaction(async (trx) => {
    await requireBot(trx, actor, botId, 'manage');
    // The bot's row is locked so that two parallel creations cannot both count one token.
    await trx('bots').where({ account_id: botId }).forUpdate().first('account_id');
    const [{ n }] = await trx('bot_tokens')
      .where({ bot_account_id: botId })
      .whereNull('revoked_at')
      .count({ n: '*' });
    if (Number(n) >= MAX_ACTIVE_TOKENS) {
      throw Boom.conflict(
        `This bot already has ${MAX_ACTIVE_TOKENS} valid tokens: revoke one before creating another (rotation: create the new token, switch to it, revoke the old one)`,
      );
    }
    const [inserted] = await trx('bot_tokens')
      .insert({
        bot_account_id: botId,
        token_hash: hashToken(token),
        prefix,
        scopes: [...new Set(input.scopes)],
        label: input.label ?? '',
        created_by: actor.accountId,
      })
      .returning(VIEW_COLUMNS);
    return inserted;
  });
  ctx.logger.info({ botId, tokenId: row.id, by: actor.accountId }, 'bot token created');
  return { token, view: toView(row) };
}

/** The bot's tokens, newest first, revoked ones included; never a secret nor a hash. */
export async function listBotTokens(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
): Promise<BotTokenView[]> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const rows = await ctx
    .db('bot_tokens')
    .where({ bot_account_id: botId })
    .orderBy('id', 'desc')
    .select(VIEW_COLUMNS);
  return rows.map(toView);
}

/**
 * Revokes a token: REST refuses it on the next request (no cache), and its websockets
 * close at once on every node. Revoking a revoked token changes nothing.
 */
export async function revokeBotToken(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  tokenId: number,
): Promise<void> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const token = await ctx
    .db('bot_tokens')
    .where({ id: tokenId, bot_account_id: botId })
    .first('id');
  if (!token) throw Boom.notFound('Token not found');
  await ctx
    .db('bot_tokens')
    .where({ id: tokenId })
    .whereNull('revoked_at')
    .update({ revoked_at: ctx.db.fn.now() });
  await publishSessionsEnded(ctx, { sessions: [botSessionId(tokenId)] });
  ctx.logger.info({ botId, tokenId, by: actor.accountId }, 'bot token revoked');
}

export interface ResolvedBotToken extends ResolvedSession {
  scopes: BotScope[];
}

/**
 * The live token, bot and account behind a bearer token, or null (malformed, unknown,
 * revoked, bot disabled or deleted). One indexed join, no cache, like resolveSession.
 */
export async function resolveBotToken(
  ctx: AppContext,
  token: string,
): Promise<ResolvedBotToken | null> {
  if (!TOKEN_FORMAT.test(token)) return null;
  const { rows } = await ctx.db.raw(
    `SELECT t.id AS token_id, t.scopes, t.last_used_at, a.id, a.professional_id, a.first_name,
            a.last_name, a.locale, a.time_zone, a.kind
       FROM bot_tokens t
       JOIN bots b ON b.account_id = t.bot_account_id
       JOIN accounts a ON a.id = b.account_id
      WHERE t.token_hash = ? AND t.revoked_at IS NULL AND b.disabled_at IS NULL
        AND a.disabled_at IS NULL AND a.kind = 'bot'`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return null;
  const { token_id, scopes, last_used_at, ...account } = row;
  const tokenId = Number(token_id);
  // "Last used" to the minute is enough to spot a forgotten token; not one write a request.
  const now = ctx.now();
  if (!last_used_at || now.getTime() - new Date(last_used_at).getTime() > 60_000) {
    ctx
      .db('bot_tokens')
      .where({ id: tokenId })
      .update({ last_used_at: now })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'bot token use not recorded'));
  }
  return {
    sessionId: botSessionId(tokenId),
    expiresAt: NEVER,
    account: { ...account, is_admin: false },
    scopes,
  };
}

/** Whether a bot token still authenticates (re-check of a long-lived websocket). */
export async function isBotTokenLive(ctx: AppContext, tokenId: number): Promise<boolean> {
  const live = await liveBotSessionIds(ctx, [botSessionId(tokenId)]);
  return live.length > 0;
}

/**
 * Of these credentials' session ids, the bot ones whose token still authenticates (the
 * websocket sweep asks; person sessions are left to it).
 */
export async function liveBotSessionIds(ctx: AppContext, sessionIds: number[]): Promise<number[]> {
  const tokenIds = sessionIds.map(botTokenIdOf).filter((id): id is number => id !== null);
  if (tokenIds.length === 0) return [];
  const { rows } = await ctx.db.raw(
    `SELECT t.id FROM bot_tokens t
       JOIN bots b ON b.account_id = t.bot_account_id
       JOIN accounts a ON a.id = b.account_id
      WHERE t.id = ANY(?) AND t.revoked_at IS NULL AND b.disabled_at IS NULL
        AND a.disabled_at IS NULL`,
    [tokenIds],
  );
  return (rows as Array<{ id: string | number }>).map((r) => botSessionId(Number(r.id)));
}
