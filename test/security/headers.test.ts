import { existsSync } from 'node:fs';
import type { Plugin, ServerInjectResponse } from '@hapi/hapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/plugins/web';
import { createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';

/**
 * Issue 10, finding 8 (headers): every response says nosniff, responses holding data are
 * never cached, the join pages never leak their token through Referer, and a server
 * reached over https asks browsers to stay on https.
 */

/** A route that fails the way a bug would, to see what a 500 looks like from outside. */
const brokenRoutePlugin: Plugin<void> = {
  name: 'test-broken-route',
  register(server) {
    server.route({
      method: 'GET',
      path: '/api/test/broken',
      options: { auth: false },
      handler() {
        throw new Error('relation "secret" does not exist at /work/main/domain/x.ts:1:1');
      },
    });
  },
};

let app: TestApp;
let https: TestApp;
let user: TestUser;

beforeAll(async () => {
  app = await startTestApp({
    server: { plugins: [{ plugin: brokenRoutePlugin as Plugin<unknown> }] },
  });
  // A second node over the same database, configured as reached over https.
  https = await startTestApp({
    database: app.database,
    env: { PUBLIC_URL: 'https://relais.example' },
  });
  user = await createUser(app.ctx);
});

afterAll(async () => {
  await https?.stop();
  await app?.stop();
});

const get = (url: string, token?: string, target = app) =>
  target.server.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

function expectApiHeaders(res: ServerInjectResponse) {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['cache-control']).toBe('no-store');
}

describe('API responses', () => {
  it('a 200 with data, a 401, a 400, a 404 and a 500 all carry nosniff and no-store', async () => {
    const ok = await get('/api/me', user.token);
    expect(ok.statusCode).toBe(200);
    expectApiHeaders(ok);

    const unauthorized = await get('/api/me');
    expect(unauthorized.statusCode).toBe(401);
    expectApiHeaders(unauthorized);

    const invalid = await get('/api/conversations/abc', user.token);
    expect(invalid.statusCode).toBe(400);
    expectApiHeaders(invalid);

    const missing = await get('/api/no-such-thing', user.token);
    expect(missing.statusCode).toBe(404);
    expectApiHeaders(missing);

    const broken = await get('/api/test/broken');
    expect(broken.statusCode).toBe(500);
    expectApiHeaders(broken);
    expect(broken.payload).not.toMatch(/secret|\/work\/|\.ts:\d/);
  });

  it('the OpenAPI document and a rejected over-long URL carry nosniff too', async () => {
    const spec = await get('/openapi.json');
    expect(spec.statusCode).toBe(200);
    expect(spec.headers['x-content-type-options']).toBe('nosniff');
    const long = await get(`/api/${'a'.repeat(8192)}`);
    expect(long.statusCode).toBe(414);
    expectApiHeaders(long);
  });
});

describe('join pages', () => {
  it('the page, its JSON answer and its errors are not cached and send no Referer', async () => {
    const page = await get('/join/no-such-token-0123456789');
    expect(page.statusCode).toBeGreaterThanOrEqual(400);
    expectApiHeaders(page);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const json = await app.server.inject({
      method: 'POST',
      url: '/join/no-such-token-0123456789',
      payload: { firstName: 'A', lastName: 'B', email: 'a@example.test', password: 'x' },
    });
    expect(json.statusCode).toBe(400);
    expectApiHeaders(json);
    expect(json.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('static files', () => {
  it.skipIf(!existsSync(WEB_DIST))(
    'keep revalidation (no-cache + ETag), with nosniff',
    async () => {
      const script = await get('/relais.js');
      expect(script.statusCode).toBe(200);
      expect(script.headers['cache-control']).toBe('no-cache');
      expect(script.headers.etag).toBeTruthy();
      expect(script.headers['x-content-type-options']).toBe('nosniff');
      const again = await app.server.inject({
        method: 'GET',
        url: '/relais.js',
        headers: { 'if-none-match': String(script.headers.etag) },
      });
      expect(again.statusCode).toBe(304);
    },
  );
});

describe('Strict-Transport-Security', () => {
  it('is sent on every response when PUBLIC_URL is https, errors included', async () => {
    for (const url of ['/api/me', '/api/no-such-thing', '/health']) {
      const res = await get(url, user.token, https);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('is not sent when Relais is reached over plain http (a laptop, the demo)', async () => {
    const res = await get('/api/me', user.token);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
