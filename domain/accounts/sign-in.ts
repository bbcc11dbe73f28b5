import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { Account } from '../models';
import { consumeAll, release, reset, tooMany } from '../rate-limit';
import { verifyPassword } from './passwords';
import { createSession, type NewSession, type SessionMeta } from './sessions';

export interface SignInResult extends NewSession {
  account: Account;
}

/**
 * E-mail + password sign-in. Attempts are counted per account and per IP in Redis over a
 * window, atomically and BEFORE the password is checked: the count and the decision are
 * one Redis script, so that parallel attempts cannot all slip under the limit. Past either
 * limit every attempt is refused with 429 (even a right password), so that guessing is
 * slow whatever the attacker rotates. A successful sign-in gives its attempts back.
 */
export async function signIn(
  ctx: AppContext,
  email: string,
  password: string,
  meta: SessionMeta,
): Promise<SignInResult> {
  const { config, redis } = ctx;
  const normalized = email.trim().toLowerCase();
  const accountKey = `login:fail:account:${normalized}`;
  const ipKey = `login:fail:ip:${meta.ip ?? 'unknown'}`;

  const decision = await consumeAll(
    redis,
    [
      [accountKey, config.loginMaxPerAccount],
      [ipKey, config.loginMaxPerIp],
    ],
    config.loginWindowSeconds,
  );
  if (!decision.allowed) {
    throw tooMany('Too many failed sign-in attempts.', decision.retryAfterSeconds);
  }

  const account = await Account.query(ctx.db)
    .whereRaw('lower(email) = ?', [normalized])
    .whereNull('disabled_at')
    .where('kind', 'person') // a bot never signs in with a password, even if one were set
    .first();
  const ok = await verifyPassword(account?.password_hash ?? null, password);
  if (!account || !ok) {
    ctx.logger.info({ email: normalized, ip: meta.ip }, 'sign-in failed');
    throw Boom.unauthorized('Incorrect e-mail or password');
  }
  await Promise.all([reset(redis, accountKey), release(redis, ipKey)]);
  const session = await createSession(ctx, account.id, 'password', meta);
  return { ...session, account };
}
