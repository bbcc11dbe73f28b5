import { createHmac, randomBytes } from 'node:crypto';

/** Signs an embed token exactly as the README tells an intranet team to. */
export function signEmbedToken(
  secret: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iat: now, exp: now + 60, jti: randomBytes(12).toString('hex'), ...claims };
  const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}
