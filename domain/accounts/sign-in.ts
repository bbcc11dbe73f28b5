import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { Account } from '../models';
import { hit, peek, reset } from '../rate-limit';
import { verifyPassword } from './passwords';
import { createSession, type NewSession, type SessionMeta } from './sessions';

export interface SignInResult extends NewSession {
  account: Account;
}

/**
 * E-mail + password sign-in. Failures are counted per account and per IP in Redis over a
 * window; past either limit every attempt is refused with 429 (even a right password), so
 * that guessing is slow whatever the attacker rotates.
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

  const [perAccount, perIp] = await Promise.all([peek(redis, accountKey), peek(redis, ipKey)]);
  const blocked =
    perAccount.count >= config.loginMaxPerAccount
      ? perAccount
      : perIp.count >= config.loginMaxPerIp
        ? perIp
        : null;
  if (blocked) {
    const error = Boom.tooManyRequests(
      `Too many failed sign-in attempts. Try again in ${Math.ceil(blocked.retryAfterSeconds / 60)} minute(s).`,
    );
    error.output.headers['Retry-After'] = String(blocked.retryAfterSeconds);
    throw error;
  }

  const account = await Account.query(ctx.db)
    .whereRaw('lower(email) = ?', [normalized])
    .whereNull('disabled_at')
    .first();
  const ok = await verifyPassword(account?.password_hash ?? null, password);
  if (!account || !ok) {
    await Promise.all([
      hit(redis, accountKey, config.loginWindowSeconds),
      hit(redis, ipKey, config.loginWindowSeconds),
    ]);
    ctx.logger.info({ email: normalized, ip: meta.ip }, 'sign-in failed');
    throw Boom.unauthorized('Incorrect e-mail or password');
  }
  await reset(redis, accountKey);
  const session = await createSession(ctx, account.id, 'password', meta);
  return { ...session, account };
}
