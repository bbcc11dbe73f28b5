import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../domain/accounts';
import { attach, insertStructure, type Person, person } from '../conversations/fixtures';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { createBot, createToken } from './fixtures';

/**
 * Managing bots and their tokens (issue 12, docs/bots.md): a structure's administrators
 * manage its bots, the installation's administrators all of them; the structure's other
 * members see them; everyone else does not know they exist.
 */

let app: TestApp;
let admin: TestUser;
let manager: Person;
let member: Person;
let outsider: Person;
let otherManager: Person;
let unit: number;
let other: number;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createUser(app.ctx, { is_admin: true });
  [manager, member, outsider, otherManager] = await Promise.all([
    person(app.ctx, 'Marc', 'Chef'),
    person(app.ctx, 'Maud', 'Membre'),
    person(app.ctx, 'Eve', 'Dehors'),
    person(app.ctx, 'Odile', 'Autre'),
  ]);
  unit = await insertStructure(app.ctx, 'DAC SESAN');
  other = await insertStructure(app.ctx, 'Unité B');
  await attach(app.ctx, unit, manager.account.id, 'manager');
  await attach(app.ctx, unit, member.account.id);
  await attach(app.ctx, other, otherManager.account.id, 'manager');
});
afterAll(() => app.stop());

const get = (url: string, token: string) => call(app.server, 'GET', url, { token });

describe('creating a bot', () => {
  it('lets a structure’s administrator create its bot, attached to it as a member', async () => {
    const res = await call(app.server, 'POST', '/api/bots', {
      token: manager.token,
      payload: { name: 'Bot de garde', description: 'Rota', structureId: unit },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Bot de garde',
      description: 'Rota',
      kind: 'bot',
      ownerStructure: { id: unit, name: 'DAC SESAN' },
      structureMember: true,
      disabled: false,
      activeTokens: 0,
      createdBy: manager.account.id,
      canManage: true,
    });
    const account = await app.ctx.db('accounts').where({ id: res.body.id }).first();
    expect(account).toMatchObject({
      kind: 'bot',
      email: null,
      password_hash: null,
      is_admin: false,
      first_name: 'Bot de garde',
    });
    const row = await app.ctx
      .db('structure_members')
      .where({ structure_id: unit, account_id: res.body.id })
      .first();
    expect(row.role).toBe('member');
  });

  it('can leave a structure’s bot unattached', async () => {
    const id = await createBot(app.server, manager.token, {
      name: 'Bot muet',
      structureId: unit,
      structureMember: false,
    });
    const bot = await get(`/api/bots/${id}`, manager.token);
    expect(bot.body.structureMember).toBe(false);
  });

  it.each([
    ['a member who is not its administrator', () => member.token],
    ['an outsider', () => outsider.token],
    ['another structure’s administrator', () => otherManager.token],
  ])('refuses a structure’s bot to %s (403)', async (_who, token) => {
    const res = await call(app.server, 'POST', '/api/bots', {
      token: token(),
      payload: { name: 'Intrus', structureId: unit },
    });
    expect(res.statusCode).toBe(403);
  });

  it('keeps bots of the installation to its administrators', async () => {
    const refused = await call(app.server, 'POST', '/api/bots', {
      token: manager.token,
      payload: { name: 'Bot global', structureId: null },
    });
    expect(refused.statusCode).toBe(403);
    const created = await call(app.server, 'POST', '/api/bots', {
      token: admin.token,
      payload: { name: 'Bot global', structureId: null },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body.ownerStructure).toBeNull();
    expect(created.body.structureMember).toBe(false);
  });

  it('names the field of an unknown structure or a bad name', async () => {
    const unknown = await call(app.server, 'POST', '/api/bots', {
      token: admin.token,
      payload: { name: 'X', structureId: 999_999_999 },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.field).toBe('structureId');
    const blank = await call(app.server, 'POST', '/api/bots', {
      token: admin.token,
      payload: { name: '  ', structureId: unit },
    });
    expect(blank.statusCode).toBe(400);
    expect(blank.body.field).toBe('name');
  });
});

describe('who sees and changes a bot', () => {
  let botId: number;
  let globalId: number;
  beforeAll(async () => {
    botId = await createBot(app.server, manager.token, { name: 'Labo', structureId: unit });
    globalId = await createBot(app.server, admin.token, { name: 'Annuaire', structureId: null });
  });

  it('lists a structure’s bots to its members, all bots to the installation’s administrators', async () => {
    const ids = async (token: string) =>
      (await get('/api/bots', token)).body.bots.map((b: { id: number }) => b.id);
    expect(await ids(manager.token)).toContain(botId);
    expect(await ids(member.token)).toContain(botId);
    expect(await ids(manager.token)).not.toContain(globalId);
    expect(await ids(outsider.token)).toEqual([]);
    expect(await ids(otherManager.token)).toEqual([]);
    expect(await ids(admin.token)).toEqual(expect.arrayContaining([botId, globalId]));
    const asMember = await get(`/api/bots/${botId}`, member.token);
    expect(asMember.body.canManage).toBe(false);
    const filtered = await get(`/api/bots?structureId=${other}`, admin.token);
    expect(filtered.body.bots).toEqual([]);
  });

  it('answers 404 to those who may not see it, 403 to members who may not change it', async () => {
    const routes = (id: number) =>
      [
        ['GET', `/api/bots/${id}`, undefined],
        ['PATCH', `/api/bots/${id}`, { name: 'Renommé' }],
        ['DELETE', `/api/bots/${id}`, undefined],
        ['POST', `/api/bots/${id}/tokens`, { scopes: ['messages:read'] }],
        ['GET', `/api/bots/${id}/tokens`, undefined],
        ['DELETE', `/api/bots/${id}/tokens/1`, undefined],
      ] as const;
    for (const token of [outsider.token, otherManager.token]) {
      for (const [method, url, payload] of routes(botId)) {
        const res = await call(app.server, method, url, { token, payload });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
    }
    for (const [method, url, payload] of routes(globalId)) {
      const res = await call(app.server, method, url, { token: manager.token, payload });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    for (const [method, url, payload] of routes(botId).slice(1)) {
      const res = await call(app.server, method, url, { token: member.token, payload });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    const unknown = await get('/api/bots/999999999', admin.token);
    expect(unknown.statusCode).toBe(404);
    // A person's account is no bot.
    const personAsBot = await get(`/api/bots/${member.account.id}`, admin.token);
    expect(personAsBot.statusCode).toBe(404);
    expect((await get(`/api/bots/${botId}`, member.token)).body.name).toBe('Labo');
  });

  it('lets its structure’s administrator and the installation’s rename it', async () => {
    const renamed = await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { name: 'Labo central', description: 'Résultats' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Labo central', description: 'Résultats' });
    const byAdmin = await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: admin.token,
      payload: { name: 'Labo' },
    });
    expect(byAdmin.body.name).toBe('Labo');
    const empty = await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: admin.token,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });

  it('is refused its own management routes and every route without a bot scope', async () => {
    const { secret } = await createToken(app.server, manager.token, botId);
    for (const [method, url] of [
      ['GET', '/api/bots'],
      ['GET', `/api/bots/${botId}/tokens`],
      ['POST', `/api/bots/${botId}/tokens`],
      ['GET', '/api/me'],
      ['POST', '/api/auth/logout'],
      ['GET', '/api/directory/search?name=a'],
    ] as const) {
      const res = await call(app.server, method, url, {
        token: secret,
        payload: method === 'POST' ? { scopes: ['messages:read'] } : undefined,
      });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.body.message).toMatch(/^This token does not allow/);
    }
  });
});

describe('tokens', () => {
  let botId: number;
  beforeAll(async () => {
    botId = await createBot(app.server, manager.token, { name: 'Rota', structureId: unit });
  });

  it('shows a token once, stores only its SHA-256, and lists it without its secret', async () => {
    const res = await call(app.server, 'POST', `/api/bots/${botId}/tokens`, {
      token: manager.token,
      payload: { scopes: ['messages:read', 'conversations:read'], label: 'prod' },
    });
    expect(res.statusCode).toBe(201);
    const { token, id, prefix } = res.body;
    expect(token).toMatch(/^rlb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`${prefix}_`)).toBe(true);
    expect(res.body).toMatchObject({
      label: 'prod',
      scopes: ['messages:read', 'conversations:read'],
      lastUsedAt: null,
      revokedAt: null,
    });

    const row = await app.ctx.db('bot_tokens').where({ id }).first();
    expect(row.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(JSON.stringify(row)).not.toContain(token.slice(prefix.length + 1));

    const list = await get(`/api/bots/${botId}/tokens`, manager.token);
    expect(list.statusCode).toBe(200);
    expect(list.payload).not.toContain(token.slice(prefix.length + 1));
    expect(list.body.tokens).toEqual([
      expect.objectContaining({ id, prefix, label: 'prod', revokedAt: null }),
    ]);
    expect(list.body.tokens[0]).not.toHaveProperty('token');

    // It works, and its use is recorded.
    const used = await get('/api/conversations', token);
    expect(used.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const after = await get(`/api/bots/${botId}/tokens`, manager.token);
    expect(after.body.tokens[0].lastUsedAt).not.toBeNull();
    await call(app.server, 'DELETE', `/api/bots/${botId}/tokens/${id}`, { token: manager.token });
  });

  it('refuses unknown scopes and an empty list, naming the field', async () => {
    for (const scopes of [['messages:delete'], [], ['admin']]) {
      const res = await call(app.server, 'POST', `/api/bots/${botId}/tokens`, {
        token: manager.token,
        payload: { scopes },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body.field).toMatch(/^scopes/);
    }
  });

  it('keeps two tokens valid for a rotation, refuses a third, and revokes at once', async () => {
    const first = await createToken(app.server, manager.token, botId);
    const second = await createToken(app.server, manager.token, botId);
    for (const t of [first, second]) {
      expect((await get('/api/conversations', t.secret)).statusCode).toBe(200);
    }
    const third = await call(app.server, 'POST', `/api/bots/${botId}/tokens`, {
      token: manager.token,
      payload: { scopes: ['messages:read'] },
    });
    expect(third.statusCode).toBe(409);
    expect(third.body.message).toMatch(/already has 2 valid tokens: revoke one/);

    const revoked = await call(app.server, 'DELETE', `/api/bots/${botId}/tokens/${first.id}`, {
      token: manager.token,
    });
    expect(revoked.statusCode).toBe(204);
    const refused = await get('/api/conversations', first.secret);
    expect(refused.statusCode).toBe(401);
    expect(refused.body.message).toMatch(/Bot token unknown or revoked/);
    expect((await get('/api/conversations', second.secret)).statusCode).toBe(200);
    // Revoking again changes nothing; another bot's path does not reach it.
    const again = await call(app.server, 'DELETE', `/api/bots/${botId}/tokens/${first.id}`, {
      token: manager.token,
    });
    expect(again.statusCode).toBe(204);
    const otherBot = await createBot(app.server, manager.token, { name: 'X', structureId: unit });
    const wrongPath = await call(
      app.server,
      'DELETE',
      `/api/bots/${otherBot}/tokens/${second.id}`,
      { token: manager.token },
    );
    expect(wrongPath.statusCode).toBe(404);
    expect((await get('/api/conversations', second.secret)).statusCode).toBe(200);

    // With one revoked, a new one may be made.
    await createToken(app.server, manager.token, botId);
    const listed = await get(`/api/bots/${botId}/tokens`, manager.token);
    expect(listed.body.tokens.filter((t: { revokedAt: unknown }) => !t.revokedAt)).toHaveLength(2);
    expect((await get(`/api/bots/${botId}`, manager.token)).body.activeTokens).toBe(2);
  });

  it('does not let parallel creations exceed two valid tokens', async () => {
    const botId2 = await createBot(app.server, manager.token, { name: 'Par', structureId: unit });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(app.server, 'POST', `/api/bots/${botId2}/tokens`, {
          token: manager.token,
          payload: { scopes: ['messages:read'] },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(4);
  });

  it('refuses malformed, unknown and session-looking tokens with 401', async () => {
    for (const token of [
      'rlb_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'rlb_short',
      'rlb_',
    ]) {
      expect((await get('/api/conversations', token)).statusCode).toBe(401);
    }
  });
});

describe('disabling and deleting', () => {
  it('refuses a disabled bot’s tokens with 401, and accepts them again once enabled', async () => {
    const botId = await createBot(app.server, manager.token, { name: 'Pause', structureId: unit });
    const { secret } = await createToken(app.server, manager.token, botId);
    expect((await get('/api/conversations', secret)).statusCode).toBe(200);
    const disabled = await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { disabled: true },
    });
    expect(disabled.body.disabled).toBe(true);
    expect((await get('/api/conversations', secret)).statusCode).toBe(401);
    await call(app.server, 'PATCH', `/api/bots/${botId}`, {
      token: manager.token,
      payload: { disabled: false },
    });
    expect((await get('/api/conversations', secret)).statusCode).toBe(200);
  });

  it('deletes a bot: its tokens stop working, its account stays disabled for history', async () => {
    const botId = await createBot(app.server, manager.token, { name: 'Parti', structureId: unit });
    const { secret } = await createToken(app.server, manager.token, botId);
    const del = await call(app.server, 'DELETE', `/api/bots/${botId}`, { token: manager.token });
    expect(del.statusCode).toBe(204);
    expect((await get('/api/conversations', secret)).statusCode).toBe(401);
    expect((await get(`/api/bots/${botId}`, manager.token)).statusCode).toBe(404);
    const account = await app.ctx.db('accounts').where({ id: botId }).first();
    expect(account.disabled_at).not.toBeNull();
    expect(await app.ctx.db('bot_tokens').where({ bot_account_id: botId })).toEqual([]);
    expect(await app.ctx.db('structure_members').where({ account_id: botId })).toEqual([]);
  });
});

describe('password sign-in', () => {
  it('is refused to a bot even with an e-mail and a password hash set', async () => {
    const botId = await createBot(app.server, admin.token, { name: 'Faux', structureId: null });
    await app.ctx
      .db('accounts')
      .where({ id: botId })
      .update({ email: 'bot@example.test', password_hash: await hashPassword('secret-pw-123') });
    const res = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: 'bot@example.test', password: 'secret-pw-123' },
    });
    expect(res.statusCode).toBe(401);
  });
});
