import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { LOGIN_MAX_PER_ACCOUNT: '3', LOGIN_MAX_PER_IP: '10' } });
});
afterAll(() => app.stop());

describe('sign-in with e-mail and password', () => {
  it('returns a bearer token that opens the API, and records activity', async () => {
    const user = await createUser(app.ctx, {
      email: 'Alice.Martin@Example.test',
      first_name: 'Alice',
    });
    await app.ctx.db('accounts').where({ id: user.account.id }).update({ last_active_at: null });
    const res = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: 'alice.martin@example.test', password: user.password },
    });
    expect(res.statusCode).toBe(201);
    const body = res.result as {
      token: string;
      expiresAt: string;
      account: Record<string, unknown>;
    };
    expect(body.token).toMatch(/^rls_/);
    expect(body.account).toMatchObject({ firstName: 'Alice', email: 'Alice.Martin@Example.test' });
    expect(body.account).not.toHaveProperty('password_hash');

    const me = await call(app.server, 'GET', '/api/me', { token: body.token });
    expect(me.statusCode).toBe(200);
    expect((me.result as { id: number }).id).toBe(user.account.id);
    const row = await app.ctx.db('accounts').where({ id: user.account.id }).first();
    expect(row.last_active_at).not.toBeNull();
  });

  it('refuses a wrong password or unknown e-mail with the same 401', async () => {
    const user = await createUser(app.ctx);
    const wrong = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: user.email, password: 'nope' },
    });
    const unknown = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: 'nobody@example.test', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('locks an account after too many failures, even for the right password', async () => {
    const user = await createUser(app.ctx);
    for (let i = 0; i < 3; i++) {
      const res = await call(app.server, 'POST', '/api/auth/login', {
        payload: { email: user.email, password: 'wrong' },
      });
      expect(res.statusCode).toBe(401);
    }
    // From an intranet page on another origin, which must be able to read the wait.
    const locked = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: user.email, password: user.password },
      headers: { origin: 'http://localhost:3001' },
    });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(String(locked.headers['access-control-expose-headers'])).toMatch(/Retry-After/i);
    expect(locked.body.message).toMatch(/Too many failed sign-in attempts/);
  });

  it('limits failures per IP across many accounts', async () => {
    const ip = { 'x-forwarded-for': 'ignored' };
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: `spray-${i}@example.test`, password: 'x' },
        remoteAddress: '203.0.113.9',
        headers: ip,
      });
      last = res.statusCode;
    }
    expect(last).toBe(429);
    const other = await app.server.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'spray-x@example.test', password: 'x' },
      remoteAddress: '198.51.100.7',
    });
    expect(other.statusCode).toBe(401);
  });

  it('holds the account limit under 60 parallel attempts from 60 addresses', async () => {
    const user = await createUser(app.ctx);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        app.server.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: user.email, password: `wrong-${i}` },
          remoteAddress: `192.0.2.${i + 1}`,
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    // Exactly the limit (3) were checked against the password; every other one was refused
    // before, so a burst guesses no faster than a sequence.
    expect(codes.filter((c) => c === 401)).toHaveLength(3);
    expect(codes.filter((c) => c === 429)).toHaveLength(57);
  });

  it('holds the IP limit under 90 parallel attempts from one address', async () => {
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        app.server.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: `burst-${i}@example.test`, password: 'x' },
          remoteAddress: '203.0.113.77',
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(80);
  });

  it('gives its attempts back on success: a user who mistypes and then signs in is not locked', async () => {
    const user = await createUser(app.ctx);
    const attempt = (password: string) =>
      app.server.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: user.email, password },
        remoteAddress: '198.51.100.200',
      });
    // 4 rounds of 2 typos then the right password: 8 failures for an account limit of 3.
    // A success clears the account's count; the IP's counts failures only (8 < 10).
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 2; i++) expect((await attempt('typo')).statusCode).toBe(401);
      expect((await attempt(user.password)).statusCode).toBe(201);
    }
  });

  it('signs out: the token stops working at once', async () => {
    const user = await createUser(app.ctx);
    expect(
      (await call(app.server, 'POST', '/api/auth/logout', { token: user.token })).statusCode,
    ).toBe(204);
    const me = await call(app.server, 'GET', '/api/me', { token: user.token });
    expect(me.statusCode).toBe(401);
    expect(me.body.message).toMatch(/sign in again/);
  });

  it('expires sessions after their lifetime', async () => {
    const user = await createUser(app.ctx);
    await app.ctx
      .db('sessions')
      .where({ account_id: user.account.id })
      .update({
        expires_at: app.ctx.db.raw("now() - interval '1 second'"),
      });
    expect((await call(app.server, 'GET', '/api/me', { token: user.token })).statusCode).toBe(401);
  });

  it('refuses missing and malformed tokens', async () => {
    expect((await call(app.server, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await call(app.server, 'GET', '/api/me', { token: 'rls_forged' })).statusCode).toBe(
      401,
    );
    const basic = await call(app.server, 'GET', '/api/me', {
      headers: { authorization: 'Basic eDp5' },
    });
    expect(basic.statusCode).toBe(401);
  });
});

describe('input validation and errors', () => {
  it('names the invalid field with a 400', async () => {
    const res = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: 'not-an-email', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatchObject({ field: 'email' });
    expect(res.body.message).toMatch(/email/);
    const missing = await call(app.server, 'POST', '/api/auth/embed', { payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatchObject({ field: 'token' });
    const extra = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: 'a@b.test', password: 'x', admin: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.body).toMatchObject({ field: 'admin' });
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await call(app.server, 'GET', '/api/does-not-exist');
    expect(res.statusCode).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('never leaks a stack trace on a server error', async () => {
    app.server.route({
      method: 'GET',
      path: '/api/test-crash',
      options: { auth: false },
      handler: () => {
        throw new Error('secret internal detail');
      },
    });
    const res = await call(app.server, 'GET', '/api/test-crash');
    expect(res.statusCode).toBe(500);
    expect(res.payload).not.toMatch(/secret internal detail|at .*\.ts/);
  });
});
