import type { RequestRoute } from '@hapi/hapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';

/**
 * Invariants every route of the API keeps, checked over the live route table so that a
 * route added later is held to them too: authenticated unless public by design, and
 * validated, with a 400 naming the field on bad input.
 */
const PUBLIC = new Set([
  'GET /health',
  'GET /ready',
  'POST /api/auth/login',
  'POST /api/auth/embed',
  'GET /{path*}', // the built web components and the standalone page (no data)
  'GET /documentation',
  'GET /openapi.json',
]);
// hapi-swagger's UI assets.
const PUBLIC_PREFIXES = ['GET /swaggerui/'];

let app: TestApp;
let user: TestUser;
let routes: RequestRoute[];

beforeAll(async () => {
  app = await startTestApp();
  user = await createUser(app.ctx);
  routes = app.server.table().filter((r) => r.method !== 'options' && !r.path.startsWith('/nes'));
});
afterAll(() => app.stop());

const key = (r: RequestRoute) => `${r.method.toUpperCase()} ${r.path}`;
const isPublic = (r: RequestRoute) =>
  PUBLIC.has(key(r)) ||
  PUBLIC_PREFIXES.some((prefix) => key(r).startsWith(prefix)) ||
  (r.settings.plugins as Record<string, { public?: boolean }>)?.relais?.public;

const hasParams = (r: RequestRoute) => r.path.includes('{');

/** A URL for the route with every path parameter set to something no validator accepts. */
function urlWith(r: RequestRoute, value: string): string {
  return r.path.replace(/\{(\w+)(\*|\?)?[^}]*\}/g, () => encodeURIComponent(value));
}

describe('every API route', () => {
  it('is listed (sanity: the table is read)', () => {
    expect(routes.some((r) => r.path === '/api/me')).toBe(true);
  });

  it('requires a session unless it is public by design', async () => {
    for (const r of routes.filter((r) => !isPublic(r))) {
      const res = await call(app.server, r.method, urlWith(r, '1'));
      expect(res.statusCode, key(r)).toBe(401);
    }
  });

  it('validates path parameters, query and payload with Joi', () => {
    for (const r of routes.filter((r) => r.path.startsWith('/api/'))) {
      const validate = r.settings.validate ?? {};
      if (hasParams(r)) expect(validate.params, `${key(r)} params`).toBeTruthy();
      // A raw byte stream (an upload chunk) has no JSON to validate: it is counted as it
      // streams; every other body has a schema.
      const raw = r.settings.payload?.output === 'stream';
      if (['post', 'put', 'patch'].includes(r.method) && !raw) {
        expect(validate.payload, `${key(r)} payload`).toBeTruthy();
      }
    }
  });

  it('answers unexpected input with a 400 naming the field', async () => {
    for (const r of routes.filter((r) => r.path.startsWith('/api/'))) {
      const validate = r.settings.validate ?? {};
      let res: Awaited<ReturnType<typeof call>> | undefined;
      if (validate.payload && validate.payload !== true) {
        res = await call(app.server, r.method, urlWith(r, '1'), {
          token: user.token,
          payload: { unexpectedField: { nested: true } },
        });
      } else if (validate.query && validate.query !== true) {
        res = await call(app.server, r.method, `${urlWith(r, '1')}?unexpectedField=1`, {
          token: user.token,
        });
      } else if (hasParams(r)) {
        res = await call(app.server, r.method, urlWith(r, '%%not-an-id%%'), { token: user.token });
      }
      if (!res) continue;
      expect(res.statusCode, key(r)).toBe(400);
      expect(res.body.message, key(r)).toBeTruthy();
      expect(res.body, key(r)).toHaveProperty('field');
    }
  });
});
