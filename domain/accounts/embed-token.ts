import { createHmac, timingSafeEqual } from 'node:crypto';
import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { Account, Professional } from '../models';
import { createSession, type SessionMeta } from './sessions';
import type { SignInResult } from './sign-in';

/**
 * Intranet embedding. The intranet's backend, which holds an integration secret, signs a
 * short-lived JWT (HS256) naming the professional, and its page hands it to the web
 * components, which exchange it here for a Relais session:
 *
 *   header  {"alg":"HS256","typ":"JWT"}
 *   payload {"iss":"<integration id>","sub":"rpps:<RPPS>" | "email:<address>",
 *            "iat":<now>,"exp":<now + at most EMBED_MAX_AGE_SECONDS>,"jti":"<unique>"}
 *
 * Each token is accepted once (its jti is remembered in Redis until it expires). A
 * professional named by RPPS who has no account yet gets one, linked to the directory:
 * the intranet vouches for who they are.
 */
export class EmbedTokenError extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'EmbedTokenError';
  }
}

interface Claims {
  iss?: unknown;
  sub?: unknown;
  iat?: unknown;
  exp?: unknown;
  jti?: unknown;
}

const CLOCK_SKEW_SECONDS = 30;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new EmbedTokenError('malformed token');
  }
}

/** Checks signature, integration, lifetime and shape; returns the verified claims. */
export function verifyEmbedToken(ctx: AppContext, token: string, nowSeconds: number) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new EmbedTokenError('malformed token');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart) as { alg?: unknown };
  if (header.alg !== 'HS256') throw new EmbedTokenError('unsupported algorithm (HS256 only)');
  const claims = decodeJson(payloadPart) as Claims;

  const integration = ctx.config.integrations.find((i) => i.id === claims.iss);
  if (!integration) throw new EmbedTokenError(`unknown integration "${String(claims.iss)}"`);

  const expected = createHmac('sha256', integration.secret)
    .update(`${headerPart}.${payloadPart}`)
    .digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new EmbedTokenError(`bad signature for integration "${integration.id}"`);
  }

  const { iat, exp, jti, sub } = claims;
  if (typeof exp !== 'number' || typeof iat !== 'number') {
    throw new EmbedTokenError('iat and exp are required');
  }
  if (exp <= nowSeconds - CLOCK_SKEW_SECONDS) throw new EmbedTokenError('expired token');
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS)
    throw new EmbedTokenError('token issued in the future');
  if (exp - iat > ctx.config.embedMaxAgeSeconds) {
    throw new EmbedTokenError(`lifetime over ${ctx.config.embedMaxAgeSeconds} s`);
  }
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 200) {
    throw new EmbedTokenError('jti (8 to 200 characters) is required');
  }
  if (typeof sub !== 'string' || !/^(rpps|email):.+/.test(sub)) {
    throw new EmbedTokenError('sub must be "rpps:<identifier>" or "email:<address>"');
  }
  return { integrationId: integration.id, sub, jti, exp };
}

async function findOrProvisionAccount(ctx: AppContext, sub: string): Promise<Account> {
  const [kind, value] = [sub.slice(0, sub.indexOf(':')), sub.slice(sub.indexOf(':') + 1)];
  if (kind === 'email') {
    const account = await Account.query(ctx.db)
      .whereRaw('lower(email) = ?', [value.trim().toLowerCase()])
      .first();
    if (!account) throw new EmbedTokenError('no account with this e-mail');
    return account;
  }
  const rpps = value.replace(/^8(?=\d{11}$)/, '');
  const professional = await Professional.query(ctx.db).findOne({ id_type: '8', identifier: rpps });
  if (!professional) throw new EmbedTokenError(`RPPS ${rpps} is not in the directory`);
  const existing = await Account.query(ctx.db).findOne({ professional_id: professional.id });
  if (existing) return existing;
  return Account.query(ctx.db)
    .insertAndFetch({
      professional_id: professional.id,
      first_name: professional.first_name,
      last_name: professional.last_name,
    })
    .onConflict('professional_id')
    .merge(['updated_at']);
}

export async function exchangeEmbedToken(
  ctx: AppContext,
  token: string,
  meta: SessionMeta,
): Promise<SignInResult> {
  try {
    const now = Math.floor(Date.now() / 1000);
    const claims = verifyEmbedToken(ctx, token, now);
    // SET NX: the first exchange wins, a replay (even concurrent) finds the key taken.
    const ttl = Math.max(claims.exp - now + CLOCK_SKEW_SECONDS, 1);
    const fresh = await ctx.redis.set(
      `embed:jti:${claims.integrationId}:${claims.jti}`,
      '1',
      'EX',
      ttl,
      'NX',
    );
    if (fresh !== 'OK') throw new EmbedTokenError('token already used (replay)');
    const account = await findOrProvisionAccount(ctx, claims.sub);
    if (account.disabled_at) throw new EmbedTokenError('account disabled');
    const session = await createSession(ctx, account.id, 'embed', {
      ...meta,
      integrationId: claims.integrationId,
    });
    ctx.logger.info({ integration: claims.integrationId, accountId: account.id }, 'embed sign-in');
    return { ...session, account };
  } catch (err) {
    if (!(err instanceof EmbedTokenError)) throw err;
    // The reason goes to the logs for the intranet team; the client only learns it failed.
    ctx.logger.warn({ reason: err.message, ip: meta.ip }, 'embed token refused');
    throw Boom.unauthorized('Invalid embed token');
  }
}
