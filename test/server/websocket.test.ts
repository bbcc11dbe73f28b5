import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { ALLOWED_ORIGINS: 'https://intranet.chu.test' } });
});
afterAll(() => app.stop());

function wsUrl(): `ws://${string}` {
  return `ws://${app.url.slice('http://'.length)}`;
}

describe('websocket connections (nes)', () => {
  it('accepts a client that presents a valid session token', async () => {
    const user = await createUser(app.ctx);
    const client = new Nes.Client(wsUrl(), { ws: { origin: 'https://intranet.chu.test' } });
    await client.connect({
      auth: { headers: { authorization: `Bearer ${user.token}` } },
      reconnect: false,
    });
    expect(client.id).toBeTruthy();
    await client.disconnect();
  });

  it('refuses a client without credentials', async () => {
    const client = new Nes.Client(wsUrl());
    await expect(client.connect({ auth: {}, reconnect: false })).rejects.toMatchObject({
      statusCode: 401,
    });
    await client.disconnect();
  });

  it('refuses a revoked session', async () => {
    const user = await createUser(app.ctx);
    await call(app.server, 'POST', '/api/auth/logout', { token: user.token });
    const client = new Nes.Client(wsUrl());
    await expect(
      client.connect({
        auth: { headers: { authorization: `Bearer ${user.token}` } },
        reconnect: false,
      }),
    ).rejects.toMatchObject({ statusCode: 401 });
    await client.disconnect();
  });

  it('refuses a browser page from a foreign origin (cross-site websocket hijacking)', async () => {
    const user = await createUser(app.ctx);
    const client = new Nes.Client(wsUrl(), { ws: { origin: 'https://evil.example' } });
    await expect(
      client.connect({
        auth: { headers: { authorization: `Bearer ${user.token}` } },
        reconnect: false,
      }),
    ).rejects.toThrow();
    expect(client.id).toBeFalsy();
    await client.disconnect();
  });

  it('bounds the size of incoming frames', async () => {
    const user = await createUser(app.ctx);
    const client = new Nes.Client(wsUrl());
    await client.connect({
      auth: { headers: { authorization: `Bearer ${user.token}` } },
      reconnect: false,
    });
    const closed = new Promise<void>((resolve) => {
      client.onDisconnect = () => resolve();
    });
    await client.message('x'.repeat(200_000)).catch(() => {});
    await closed;
    expect(client.id).toBeFalsy();
  });
});

describe('readiness', () => {
  it('reports ready when PostgreSQL and Redis answer', async () => {
    const res = await call(app.server, 'GET', '/ready');
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok', files: 'ok' });
    expect((await call(app.server, 'GET', '/health')).statusCode).toBe(200);
  });

  it('reports file storage down without making the node unready (messages still flow)', async () => {
    const s3 = await startTestApp({
      database: app.database,
      env: {
        ATTACHMENTS_STORAGE: 's3',
        S3_ENDPOINT: 'http://127.0.0.1:1',
        S3_BUCKET: 'relais-files',
        S3_ACCESS_KEY_ID: 'key',
        S3_SECRET_ACCESS_KEY: 'secret',
      },
    });
    try {
      const res = await call(s3.server, 'GET', '/ready');
      expect(res.statusCode).toBe(200);
      expect(res.body.files).toMatch(/^down/);
    } finally {
      await s3.stop();
    }
  });

  it('fails with 503 naming Redis when Redis is down', async () => {
    const broken = await startTestApp({
      database: app.database,
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
    });
    try {
      const res = await call(broken.server, 'GET', '/ready');
      expect(res.statusCode).toBe(503);
      expect(res.body).toMatchObject({ status: 'unavailable', postgres: 'ok' });
      expect(res.body.redis).toMatch(/^down/);
    } finally {
      broken.ctx.redis.disconnect();
      await broken.server.stop();
    }
  });
});
