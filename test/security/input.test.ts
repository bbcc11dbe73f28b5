import { randomUUID } from 'node:crypto';
import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, type Person, person, send } from '../conversations/fixtures';
import { type ApiResponse, call, startTestApp, type TestApp } from '../helpers/server';

/**
 * Issue 10, finding 4: input PostgreSQL cannot take is refused at the edge with a 400
 * naming the field (or 414 for an absurd URL), never a 500. The fuzz suite
 * (http-fuzz.test.ts) sweeps every route; these pin the exact answers a client relies on.
 */

let app: TestApp;
let alice: Person;
let bob: Person;
let conversationId: number;

beforeAll(async () => {
  app = await startTestApp();
  alice = await person(app.ctx, 'Alice', 'Input');
  bob = await person(app.ctx, 'Bob', 'Input');
  const created = await create(app.server, alice.token, [
    { kind: 'professional', id: bob.professionalId },
  ]);
  expect(created.statusCode).toBe(201);
  conversationId = created.body.conversation.id;
});

afterAll(async () => {
  await app?.stop();
});

function expectBadField(res: ApiResponse, field: string) {
  expect(res.statusCode, res.payload).toBe(400);
  expect(res.body.field).toBe(field);
  expect(res.body.message).toContain(field);
  expect(res.payload).not.toMatch(/\bat .*:\d+:\d+|node_modules|\/work\//);
}

describe('text PostgreSQL cannot store', () => {
  it('a NUL in a message body is a 400 naming `body`, and nothing is stored', async () => {
    const res = await send(app.server, alice.token, conversationId, 'Bonjour\u0000Madame');
    expectBadField(res, 'body');
    expect(res.body.message).toMatch(/NUL/);
    const page = await call(app.server, 'GET', `/api/conversations/${conversationId}/messages`, {
      token: alice.token,
    });
    expect(page.body.messages.map((m: { body: string }) => m.body)).not.toContain(
      'Bonjour\u0000Madame',
    );
  });

  it('a lone surrogate in a subject or a group name is a 400 naming the field', async () => {
    const subject = await call(app.server, 'POST', '/api/conversations', {
      token: alice.token,
      headers: { 'content-type': 'application/json' },
      payload: `{"subject":"Sortie \\ud800","recipients":[{"kind":"professional","id":1}],"message":{"id":"${randomUUID()}","body":"x"}}`,
    });
    expectBadField(subject, 'subject');
    const group = await call(app.server, 'POST', '/api/directory/groups', {
      token: alice.token,
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"a\\udc00b"}',
    });
    expectBadField(group, 'name');
  });

  it('a NUL in a patient reference query is a 400 naming it', async () => {
    const res = await call(app.server, 'GET', '/api/conversations?patientReference=ab%00c', {
      token: alice.token,
    });
    expectBadField(res, 'patientReference');
  });

  it('routes without a schema are guarded too: query values, nested keys and the path', async () => {
    expectBadField(await call(app.server, 'GET', '/api/me?x=%00', { token: alice.token }), 'x');
    const key = await call(app.server, 'POST', `/api/conversations/${conversationId}/read`, {
      token: alice.token,
      headers: { 'content-type': 'application/json' },
      payload: '{"seq":1,"deep":{"k\\u0000":1}}',
    });
    expect(key.statusCode).toBe(400);
    expect(key.body.field).toBe('deep.k\u0000');
    expectBadField(await call(app.server, 'GET', '/relais.js%00.html'), 'path');
    expectBadField(await call(app.server, 'GET', '/%ff'), 'path');
  });
});

describe('over the websocket', () => {
  it('a nes request frame with a NUL in the body gets the same 400 naming `body`', async () => {
    const client = new Nes.Client(`ws://${app.url.slice('http://'.length)}`);
    await client.connect({
      auth: { headers: { authorization: `Bearer ${alice.token}` } },
      reconnect: false,
    });
    try {
      const sent = client.request({
        method: 'POST',
        path: `/api/conversations/${conversationId}/messages`,
        payload: { id: randomUUID(), body: 'a\u0000b' },
      });
      await expect(sent).rejects.toMatchObject({
        statusCode: 400,
        data: { field: 'body' },
      });
    } finally {
      await client.disconnect();
    }
  });
});

describe('numbers past their column', () => {
  const messages = (query: string) =>
    call(app.server, 'GET', `/api/conversations/${conversationId}/messages?${query}`, {
      token: alice.token,
    });

  it('before=2147483648 (2^31, past int4) is a 400 naming `before`; 2^31 − 1 is accepted', async () => {
    expectBadField(await messages('before=2147483648'), 'before');
    expectBadField(await messages('after=2147483648'), 'after');
    const edge = await messages('before=2147483647');
    expect(edge.statusCode).toBe(200);
    expect(edge.body.messages.length).toBeGreaterThan(0);
  });

  it('an id past 2^53, a seq of 1e400 and a negative-year date are 400s', async () => {
    const hugeId = await call(app.server, 'GET', '/api/conversations/9007199254740993', {
      token: alice.token,
    });
    expectBadField(hugeId, 'id');
    const seq = await call(app.server, 'POST', `/api/conversations/${conversationId}/read`, {
      token: alice.token,
      headers: { 'content-type': 'application/json' },
      payload: '{"seq":1e400}',
    });
    expectBadField(seq, 'seq');
    const date = await call(
      app.server,
      'GET',
      '/api/conversations?activeSince=-000001-01-01T00:00:00Z',
      { token: alice.token },
    );
    expectBadField(date, 'activeSince');
  });
});

describe('dates', () => {
  it('a birth date that is no day (0000-13-45) is a 400 naming it; an unknown day (00) is kept', async () => {
    const withBirthDate = (birthDate: string) =>
      create(app.server, alice.token, [{ kind: 'professional', id: bob.professionalId }], {
        patient: {
          ins: {
            matricule: '184127645108946',
            birthName: 'DUPONT',
            firstName: 'Jeanne',
            birthDate,
            sex: 'F',
          },
        },
      });
    expectBadField(await withBirthDate('0000-13-45'), 'patient.ins.birthDate');
    expect((await withBirthDate('1984-12-00')).statusCode).toBeLessThan(300);
  });
});

describe('absurd URLs', () => {
  it('an 8 KB path is answered 414 before routing, with a message and no stack trace', async () => {
    for (const url of [`/${'a'.repeat(8192)}`, `/api/conversations/${'9'.repeat(8192)}`]) {
      const res = await app.server.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(414);
      expect(JSON.parse(res.payload).message).toMatch(/too long/);
      expect(res.payload).not.toMatch(/node_modules|\/work\//);
    }
  });

  it('a long file name that is no file of the build is a 404, not a file system error', async () => {
    const res = await app.server.inject({ method: 'GET', url: `/${'a'.repeat(1500)}.js` });
    expect(res.statusCode).toBe(404);
  });
});
