import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;

beforeAll(async () => {
  // The dashboard is part of every server (server/app.ts).
  app = await startTestApp();
});
afterAll(() => app.stop());

const login = (email: string, password: string) =>
  app.server.inject({
    method: 'POST',
    url: '/admin/queues/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, password }).toString(),
  });

describe('queue dashboard (bull-board) behind admin auth', () => {
  it('sends the anonymous to the sign-in page and refuses its API', async () => {
    const board = await app.server.inject('/admin/queues');
    expect(board.statusCode).toBe(302);
    expect(board.headers.location).toBe('/admin/queues/login');
    expect((await app.server.inject('/admin/queues/api/queues')).statusCode).toBe(401);
    // A bearer token is not enough either: the dashboard uses its cookie.
    const admin = await createUser(app.ctx, { is_admin: true });
    const bearer = await app.server.inject({
      url: '/admin/queues/api/queues',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(bearer.statusCode).toBe(401);
  });

  it('refuses non-administrators', async () => {
    const user = await createUser(app.ctx);
    const res = await login(user.email, user.password);
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('lets an administrator in with a cookie limited to the dashboard', async () => {
    const admin = await createUser(app.ctx, { is_admin: true });
    const res = await login(admin.email, admin.password);
    expect(res.statusCode).toBe(303);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^relais_board=rls_[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/,
    );
    const cookie = setCookie.split(';')[0]!;

    const board = await app.server.inject({ url: '/admin/queues', headers: { cookie } });
    expect(board.statusCode).toBe(200);
    expect(board.payload).toContain('Relais queues');
    const api = await app.server.inject({ url: '/admin/queues/api/queues', headers: { cookie } });
    expect(api.statusCode).toBe(200);
    const names = JSON.parse(api.payload).queues.map((q: { name: string }) => q.name);
    expect(names).toEqual(
      expect.arrayContaining(['invitation-email', 'invitation-sms', 'invitations', 'inactivity']),
    );
  });
});
