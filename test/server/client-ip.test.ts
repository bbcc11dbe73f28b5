import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    env: { LOGIN_MAX_PER_IP: '3', LOGIN_MAX_PER_ACCOUNT: '100', TRUSTED_PROXIES: '10.0.0.5' },
  });
});
afterAll(() => app.stop());

/** A wrong sign-in from `peer` (the TCP address) with an optional X-Forwarded-For. */
async function failedSignIn(peer: string, forwardedFor?: string): Promise<number> {
  const res = await app.server.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: `someone-${Math.random()}@example.test`, password: 'x' },
    remoteAddress: peer,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  return res.statusCode;
}

describe('the client address behind the per-IP limits', () => {
  it('behind a trusted proxy, is the forwarded one: two wards do not share a limit', async () => {
    for (let i = 0; i < 3; i++) expect(await failedSignIn('10.0.0.5', '198.51.100.1')).toBe(401);
    expect(await failedSignIn('10.0.0.5', '198.51.100.1')).toBe(429);
    // Another client behind the same proxy is not locked out by the first one's failures,
    // and a spoofed left-most hop changes nothing: the proxy appended the real address.
    expect(await failedSignIn('10.0.0.5', '198.51.100.2')).toBe(401);
    expect(await failedSignIn('10.0.0.5', '203.0.113.66, 198.51.100.1')).toBe(429);
  });

  it('from anywhere else, ignores X-Forwarded-For: rotating it escapes nothing', async () => {
    for (let i = 0; i < 3; i++)
      expect(await failedSignIn('192.0.2.40', `203.0.113.${i}`)).toBe(401);
    expect(await failedSignIn('192.0.2.40', '203.0.113.99')).toBe(429);
  });
});
