import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Professional } from '../../domain/models';
import { signEmbedToken } from '../helpers/embed';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';

const SECRET = 'chu-intranet-secret-0123456789abcdef0123';
let app: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { EMBED_INTEGRATIONS: `chu-nord:${SECRET}` } });
  // Capture the warnings: the refusal reason is for the intranet team, in the logs.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app.ctx.logger = pino({ level: 'warn' }, sink);
  await Professional.query(app.ctx.db).insert({
    national_id: '810100271385',
    id_type: '8',
    identifier: '10100271385',
    last_name: 'LEGER',
    first_name: 'ROMAIN',
  });
});
afterAll(() => app.stop());

async function exchange(token: string) {
  return call(app.server, 'POST', '/api/auth/embed', { payload: { token } });
}

function lastWarning(): string {
  return logLines.at(-1) ?? '';
}

describe('intranet embed tokens', () => {
  it('signs in a directory professional named by RPPS, creating the linked account once', async () => {
    const first = await exchange(
      signEmbedToken(SECRET, { iss: 'chu-nord', sub: 'rpps:10100271385' }),
    );
    expect(first.statusCode).toBe(201);
    expect(first.body.account).toMatchObject({ firstName: 'ROMAIN', lastName: 'LEGER' });
    const me = await call(app.server, 'GET', '/api/me', { token: first.body.token });
    expect(me.statusCode).toBe(200);

    const again = await exchange(
      signEmbedToken(SECRET, { iss: 'chu-nord', sub: 'rpps:10100271385' }),
    );
    expect(again.body.account.id).toBe(first.body.account.id);
  });

  it('signs in an existing account named by e-mail', async () => {
    const user = await createUser(app.ctx, { email: 'claire@chu.test' });
    const res = await exchange(
      signEmbedToken(SECRET, { iss: 'chu-nord', sub: 'email:Claire@CHU.test' }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.body.account.id).toBe(user.account.id);
  });

  it('refuses a replayed token', async () => {
    const token = signEmbedToken(SECRET, { iss: 'chu-nord', sub: 'rpps:10100271385' });
    expect((await exchange(token)).statusCode).toBe(201);
    const replay = await exchange(token);
    expect(replay.statusCode).toBe(401);
    expect(lastWarning()).toMatch(/replay/);
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await exchange(
      signEmbedToken(SECRET, {
        iss: 'chu-nord',
        sub: 'rpps:10100271385',
        iat: now - 400,
        exp: now - 100,
      }),
    );
    expect(res.statusCode).toBe(401);
    expect(res.body.message).toBe('Invalid embed token');
    expect(lastWarning()).toMatch(/expired token/);
  });

  it('refuses a token living longer than allowed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await exchange(
      signEmbedToken(SECRET, {
        iss: 'chu-nord',
        sub: 'rpps:10100271385',
        iat: now,
        exp: now + 86400,
      }),
    );
    expect(res.statusCode).toBe(401);
    expect(lastWarning()).toMatch(/lifetime/);
  });

  it('refuses a wrong signature', async () => {
    const res = await exchange(
      signEmbedToken(`${SECRET}x`, { iss: 'chu-nord', sub: 'rpps:10100271385' }),
    );
    expect(res.statusCode).toBe(401);
    expect(lastWarning()).toMatch(/bad signature/);
  });

  it('refuses an unknown integration', async () => {
    const res = await exchange(
      signEmbedToken(SECRET, { iss: 'elsewhere', sub: 'rpps:10100271385' }),
    );
    expect(res.statusCode).toBe(401);
    expect(lastWarning()).toMatch(/unknown integration/);
  });

  it('refuses "none" and other algorithms', async () => {
    const res = await exchange(
      signEmbedToken(SECRET, { iss: 'chu-nord', sub: 'rpps:10100271385' }, { alg: 'none' }),
    );
    expect(res.statusCode).toBe(401);
    expect(lastWarning()).toMatch(/HS256 only/);
  });

  it('refuses a professional who is not in the directory', async () => {
    const res = await exchange(
      signEmbedToken(SECRET, { iss: 'chu-nord', sub: 'rpps:99999999999' }),
    );
    expect(res.statusCode).toBe(401);
    expect(lastWarning()).toMatch(/not in the directory/);
  });
});
