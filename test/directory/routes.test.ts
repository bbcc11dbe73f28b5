import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { loadDirectory } from './fixtures/directory';

let app: TestApp;
let alice: TestUser;
let bob: TestUser;
let ids: Awaited<ReturnType<typeof loadDirectory>>;
beforeAll(async () => {
  app = await startTestApp();
  ids = await loadDirectory(app.ctx.db);
  alice = await createUser(app.ctx);
  bob = await createUser(app.ctx);
});
afterAll(() => app.stop());

describe('directory routes', () => {
  it('require a session', async () => {
    for (const url of [
      '/api/directory/search?name=martin',
      '/api/directory/suggest/professions?q=kin',
      '/api/directory/favourites',
      '/api/directory/groups',
    ]) {
      expect((await call(app.server, 'GET', url)).statusCode, url).toBe(401);
    }
  });

  it('search with the three filters and suggest professions and places', async () => {
    const res = await call(
      app.server,
      'GET',
      `/api/directory/search?name=le&profession=${encodeURIComponent('kiné')}&place=Lyon`,
      { token: alice.token },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 20, hasMore: false, favourites: [] });
    expect(res.body.items).toMatchObject([
      { kind: 'professional', lastName: 'LE GOFF', status: 'none', favourite: false },
    ]);
    const prof = await call(app.server, 'GET', '/api/directory/suggest/professions?q=kin', {
      token: alice.token,
    });
    expect(prof.body.items[0]).toMatchObject({ code: '70', value: '70' });
    const place = await call(app.server, 'GET', '/api/directory/suggest/places?q=ajac', {
      token: alice.token,
    });
    expect(place.body.items[0]).toMatchObject({ kind: 'commune', value: '2A004' });
  });

  it('answer 400 naming the field on invalid filters', async () => {
    for (const [query, field] of [
      ['pageSize=500', 'pageSize'],
      ['page=0', 'page'],
      ['kind=robot', 'kind'],
      [`name=${encodeURIComponent('<script>')}`, 'name'],
      [`place=${'x'.repeat(101)}`, 'place'],
      ['colour=blue', 'colour'],
    ]) {
      const res = await call(app.server, 'GET', `/api/directory/search?${query}`, {
        token: alice.token,
      });
      expect(res.statusCode, query).toBe(400);
      expect(res.body.field, query).toBe(field);
    }
    const badKind = await call(app.server, 'PUT', '/api/directory/favourites/robot/1', {
      token: alice.token,
    });
    expect(badKind.statusCode).toBe(400);
  });

  it('keep favourites and groups private to their owner', async () => {
    const yann = ids.people['810000000006'];
    const sesan = ids.structures.F750000001;
    expect(
      (
        await call(app.server, 'PUT', `/api/directory/favourites/professional/${yann}`, {
          token: alice.token,
        })
      ).statusCode,
    ).toBe(204);
    const created = await call(app.server, 'POST', '/api/directory/groups', {
      token: alice.token,
      payload: { name: 'Astreinte', members: [{ kind: 'structure', id: sesan }] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({ name: 'Astreinte', members: [{ name: 'DAC SESAN' }] });
    const groupId = created.body.id;

    const mine = await call(app.server, 'GET', '/api/directory/favourites', { token: alice.token });
    expect(mine.body.items).toMatchObject([{ lastName: 'LE GOFF', favourite: true }]);
    const bobs = await call(app.server, 'GET', '/api/directory/favourites', { token: bob.token });
    expect(bobs.body.items).toEqual([]);
    expect(
      (await call(app.server, 'GET', '/api/directory/groups', { token: bob.token })).body.items,
    ).toEqual([]);
    for (const [method, url] of [
      ['GET', `/api/directory/groups/${groupId}`],
      ['GET', `/api/directory/groups/${groupId}/recipients`],
      ['DELETE', `/api/directory/groups/${groupId}`],
      ['PUT', `/api/directory/groups/${groupId}/members/professional/${yann}`],
    ] as const) {
      expect((await call(app.server, method, url, { token: bob.token })).statusCode, url).toBe(404);
    }
    const recipients = await call(
      app.server,
      'GET',
      `/api/directory/groups/${groupId}/recipients`,
      {
        token: alice.token,
      },
    );
    expect(recipients.body.items).toMatchObject([
      { kind: 'structure', name: 'DAC SESAN', nobodyAttached: true },
    ]);
  });

  it('give the four account statuses, invitations included (S10, S14)', async () => {
    const { db } = app.ctx;
    const [dupont, martin, hebert] = ['810000000001', '810000000003', '810000000007'].map(
      (n) => ids.people[n]!,
    );
    await db('accounts').insert([
      { email: 'dupont@example.test', professional_id: dupont, last_active_at: new Date() },
      {
        email: 'martin@example.test',
        professional_id: martin,
        last_active_at: new Date(Date.now() - 31 * 86_400_000),
      },
    ]);
    // A pending invitation, written as the invitations module writes it (issue 6).
    await db('invitations').insert({
      inviter_account_id: alice.account.id,
      professional_id: hebert,
      channel: 'email',
      address: 'hebert@example.test',
      address_source: 'typed',
      token_hash: Buffer.from('test-invitation-token-hash'),
      expires_at: new Date(Date.now() + 86_400_000),
      status: 'sent',
    });
    const status = async (name: string) =>
      (
        await call(app.server, 'GET', `/api/directory/search?name=${encodeURIComponent(name)}`, {
          token: alice.token,
        })
      ).body.items[0].status;
    expect(await status('dupont')).toBe('active');
    expect(await status('martin hel')).toBe('inactive');
    expect(await status('hebert')).toBe('invited');
    expect(await status('ndiaye')).toBe('none');
  });

  it('list the members attached to a structure', async () => {
    const res = await call(
      app.server,
      'GET',
      `/api/directory/structures/${ids.structures.F750000002}/members`,
      { token: alice.token },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({
      members: [],
      structure: { name: 'TESTPMSESAN', nobodyAttached: true },
    });
    expect(
      (
        await call(app.server, 'GET', '/api/directory/structures/999999/members', {
          token: alice.token,
        })
      ).statusCode,
    ).toBe(404);
  });
});
