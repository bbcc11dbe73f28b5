import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attach,
  conversationRoutes,
  conversationState,
  create,
  insertStructure,
  type Person,
  person,
  pro,
  send,
  struct,
} from '../conversations/fixtures';
import { call, startTestApp, type TestApp } from '../helpers/server';
import { createBot, createToken } from './fixtures';

/**
 * A bot uses the same conversation routes as people, under the same rules: it reads and
 * answers its structure's conversations like a member (S19/S20), and those where it takes
 * part itself, and nothing else (the authorisation matrix of
 * test/conversations/authorization.test.ts, for a bot token). Its token's scopes narrow
 * what it may do; they never widen what it may see.
 */

let app: TestApp;
let alice: Person;
let bruno: Person;
let manager: Person;
let otherMember: Person;
let unit: number;
let other: number;
let botId: number;
let full: string;
let readOnly: string;
/** Alice → DAC SESAN: the bot reads it as a member of the structure. */
let viaStructure: number;
/** Alice → Bruno and the bot itself (an `account` participant). */
let direct: number;
/** Alice → Bruno only, and Alice → another structure: none of the bot's business. */
let privateOne: number;
let otherStructure: number;
let privateMessage: string;

beforeAll(async () => {
  app = await startTestApp();
  [alice, bruno, manager, otherMember] = await Promise.all([
    person(app.ctx, 'Alice', 'Martin'),
    person(app.ctx, 'Bruno', 'Petit'),
    person(app.ctx, 'Marc', 'Chef'),
    person(app.ctx, 'Sam', 'Ailleurs'),
  ]);
  unit = await insertStructure(app.ctx, 'DAC SESAN');
  other = await insertStructure(app.ctx, 'Unité B');
  await attach(app.ctx, unit, manager.account.id, 'manager');
  await attach(app.ctx, other, otherMember.account.id);
  botId = await createBot(app.server, manager.token, { name: 'Bot de garde', structureId: unit });
  full = (await createToken(app.server, manager.token, botId)).secret;
  readOnly = (
    await createToken(app.server, manager.token, botId, ['conversations:read', 'messages:read'])
  ).secret;

  viaStructure = (await create(app.server, alice.token, [struct(unit)])).body.conversation.id;
  direct = (
    await create(app.server, alice.token, [
      pro(bruno.professionalId),
      { kind: 'account', id: botId },
    ])
  ).body.conversation.id;
  const secret = await create(app.server, alice.token, [pro(bruno.professionalId)]);
  privateOne = secret.body.conversation.id;
  privateMessage = secret.body.message.id;
  otherStructure = (await create(app.server, alice.token, [struct(other)])).body.conversation.id;
});
afterAll(() => app.stop());

const get = (url: string, token: string) => call(app.server, 'GET', url, { token });

describe('a bot in its structure’s conversations', () => {
  it('reads them and answers on the structure’s behalf, signed with its name (S19/S20)', async () => {
    const list = await get('/api/conversations', full);
    expect(list.statusCode).toBe(200);
    const ids = list.body.conversations.map((c: { id: number }) => c.id);
    expect(ids).toEqual(expect.arrayContaining([viaStructure, direct]));

    expect((await get(`/api/conversations/${viaStructure}`, full)).statusCode).toBe(200);
    const messages = await get(`/api/conversations/${viaStructure}/messages`, full);
    expect(messages.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Bonjour, pouvez-vous passer demain ?',
    ]);

    const sent = await send(app.server, full, viaStructure, 'Pris en charge.');
    expect(sent.statusCode).toBe(201);
    expect(sent.body.structure).toEqual({ id: unit, name: 'DAC SESAN' });
    expect(sent.body.sender).toMatchObject({ accountId: botId, kind: 'bot' });
    expect(sent.body.signature).toMatch(
      /^DAC SESAN, expédié par BOT DE GARDE le \d\d\/\d\d\/\d\d à /,
    );

    const seen = await get(`/api/conversations/${viaStructure}/messages`, alice.token);
    const last = seen.body.messages.at(-1);
    expect(last.signature).toMatch(/^DAC SESAN, expédié par BOT DE GARDE le /);
    expect(last.sender.kind).toBe('bot');
    expect(seen.body.messages[0].sender.kind).toBe('person');
  });

  it('marks messages read and delivered, and reads receipts, with messages:read', async () => {
    for (const [method, path, payload] of [
      ['POST', 'read', { seq: 1 }],
      ['POST', 'delivered', { seq: 1 }],
      ['GET', 'reads', undefined],
    ] as const) {
      const res = await call(app.server, method, `/api/conversations/${viaStructure}/${path}`, {
        token: readOnly,
        payload,
      });
      expect(res.statusCode, path).toBeLessThan(300);
    }
  });

  it('retries a send with the same client id without posting twice', async () => {
    const id = randomUUID();
    const payload = { id, body: 'Une fois' };
    const url = `/api/conversations/${viaStructure}/messages`;
    const first = await call(app.server, 'POST', url, { token: full, payload });
    const again = await call(app.server, 'POST', url, { token: full, payload });
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.body.seq).toBe(first.body.seq);
  });
});

describe('a bot as a participant in its own right', () => {
  it('reads and answers in person, and appears with its kind among the participants', async () => {
    const sent = await send(app.server, full, direct, 'Résultat disponible.');
    expect(sent.statusCode).toBe(201);
    expect(sent.body.structure).toBeNull();
    expect(sent.body.signature).toMatch(/^Bot de garde, le /);

    const seen = await get(`/api/conversations/${direct}`, alice.token);
    const participants = seen.body.conversation?.participants ?? seen.body.participants;
    expect(participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'account',
          id: botId,
          name: 'Bot de garde',
          accountKind: 'bot',
        }),
        expect.objectContaining({ kind: 'professional', accountKind: 'person' }),
      ]),
    );
  });

  it('starts a conversation with conversations:create', async () => {
    const created = await create(app.server, full, [pro(alice.professionalId)], {
      subject: 'Résultat de biologie',
    });
    expect(created.statusCode).toBe(201);
    const list = await get('/api/conversations', alice.token);
    expect(list.body.conversations.map((c: { id: number }) => c.id)).toContain(
      created.body.conversation.id,
    );
  });

  it('shows among its structure’s members with its kind', async () => {
    const res = await get(`/api/directory/structures/${unit}/members`, alice.token);
    expect(res.body.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: botId, kind: 'bot' }),
        expect.objectContaining({ accountId: manager.account.id, kind: 'person' }),
      ]),
    );
  });
});

describe('what a bot never sees', () => {
  it.each([
    ['a conversation between others', () => privateOne],
    ['another structure’s conversation', () => otherStructure],
  ])('refuses every route of %s, changing nothing', async (_what, conversation) => {
    const id = conversation();
    const before = await conversationState(app.ctx, id);
    for (const [method, url, payload] of conversationRoutes(
      id,
      privateMessage,
      bruno.professionalId,
    )) {
      const res = await call(app.server, method, url, { token: full, payload });
      // Routes open to bots answer as to any stranger; the others refuse bot tokens outright.
      const expected = /\/(participants|leave)$/.test(url) ? 403 : 404;
      expect(res.statusCode, `${method} ${url}`).toBe(expected);
    }
    expect(await conversationState(app.ctx, id)).toEqual(before);
  });

  it('leaves them out of its list and duplicate checks', async () => {
    const list = await get('/api/conversations', full);
    const ids = list.body.conversations.map((c: { id: number }) => c.id);
    expect(ids).not.toContain(privateOne);
    expect(ids).not.toContain(otherStructure);
    // The duplicate check counts the bot itself among the participants: it finds its own
    // conversation with Alice and Bruno, never theirs alone nor another structure's.
    const existing = await get(
      `/api/conversations/existing?professional=${alice.professionalId}&professional=${bruno.professionalId}`,
      full,
    );
    expect(existing.body.count).toBe(1);
    const others = await get(
      `/api/conversations/existing?professional=${alice.professionalId}&structure=${other}`,
      full,
    );
    expect(others.body.count).toBe(0);
  });

  it('cannot answer for a structure it is not attached to, nor after being detached', async () => {
    const asOther = await send(app.server, full, viaStructure, 'x', { onBehalfOf: other });
    expect(asOther.statusCode).toBe(403);
    const detached = await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { structureMember: false },
    });
    expect(detached.body.structureMember).toBe(false);
    expect((await get(`/api/conversations/${viaStructure}`, full)).statusCode).toBe(404);
    expect((await send(app.server, full, viaStructure, 'x')).statusCode).toBe(404);
    // Its own seat is unaffected.
    expect((await get(`/api/conversations/${direct}`, full)).statusCode).toBe(200);
    await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { structureMember: true },
    });
    expect((await get(`/api/conversations/${viaStructure}`, full)).statusCode).toBe(200);
  });
});

describe('scopes', () => {
  it('refuses what the token does not allow, with 403 and the scope named', async () => {
    const sendRefused = await send(app.server, readOnly, viaStructure, 'Interdit');
    expect(sendRefused.statusCode).toBe(403);
    expect(sendRefused.body.message).toBe('This token does not allow messages:write');
    const createRefused = await create(app.server, readOnly, [pro(alice.professionalId)]);
    expect(createRefused.statusCode).toBe(403);
    expect(createRefused.body.message).toBe('This token does not allow conversations:create');
    const upload = await call(app.server, 'POST', '/api/uploads', {
      token: readOnly,
      payload: { name: 'a.pdf', type: 'application/pdf', size: 10 },
    });
    expect(upload.statusCode).toBe(403);
    expect(upload.body.message).toBe('This token does not allow files:write');
    // Reading is allowed.
    expect((await get(`/api/conversations/${viaStructure}/messages`, readOnly)).statusCode).toBe(
      200,
    );
  });

  it('refuses a read with a write-only token', async () => {
    const writer = await createBot(app.server, manager.token, {
      name: 'Écrivain',
      structureId: unit,
    });
    const token = (await createToken(app.server, manager.token, writer, ['messages:write'])).secret;
    const list = await get('/api/conversations', token);
    expect(list.statusCode).toBe(403);
    expect(list.body.message).toBe('This token does not allow conversations:read');
    expect((await send(app.server, token, viaStructure, 'Écrit sans lire')).statusCode).toBe(201);
  });
});

describe('rate limit', () => {
  let limited: TestApp;
  afterAll(() => limited?.stop());

  it('answers 429 with Retry-After past BOT_RATE_PER_MINUTE, per token', async () => {
    limited = await startTestApp({ env: { BOT_RATE_PER_MINUTE: '5' } });
    const boss = await person(limited.ctx, 'Rita', 'Chef');
    const team = await insertStructure(limited.ctx, 'Équipe');
    await attach(limited.ctx, team, boss.account.id, 'manager');
    const id = await createBot(limited.server, boss.token, { name: 'Pressé', structureId: team });
    const [a, b] = [
      (await createToken(limited.server, boss.token, id)).secret,
      (await createToken(limited.server, boss.token, id)).secret,
    ];
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await call(limited.server, 'GET', '/api/conversations', { token: a })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await call(limited.server, 'GET', '/api/conversations', { token: a });
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.message).toMatch(/Too many requests with this bot token/);
    // The other token has its own count; people are not counted.
    expect((await call(limited.server, 'GET', '/api/conversations', { token: b })).statusCode).toBe(
      200,
    );
    for (let i = 0; i < 8; i++) {
      const res = await call(limited.server, 'GET', '/api/conversations', { token: boss.token });
      expect(res.statusCode).toBe(200);
    }
  });
});
