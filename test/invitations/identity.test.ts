import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../domain/accounts/passwords';
import { closeInvitationQueues } from '../../domain/invitations';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { clinicalConversation, directoryProfessional } from './fixtures';
import {
  inviteAndToken,
  joinRequest,
  joinThrough,
  listedIds,
  membershipRequestOf,
} from './identity-fixtures';

// Counts the argon2 hashes (join must check the link before paying for one).
vi.mock('../../domain/accounts/passwords', async (original) => {
  const real = await original<typeof import('../../domain/accounts/passwords')>();
  return { ...real, hashPassword: vi.fn(real.hashPassword) };
});
const hashes = vi.mocked(hashPassword);

/**
 * Issue 10, finding 2: "anyone can become anyone through an invitation". Holding a link
 * proves control of an address, nothing more: joining never makes anyone a member of a
 * structure, never binds the account to a directory identity until an administrator
 * confirms it, and shows only the conversation the inviter chose to share.
 */
let app: TestApp;
let admin: TestUser;

beforeAll(async () => {
  app = await startTestApp({
    env: {
      INVITATION_MAX_PER_TARGET_PER_WEEK: '2',
      JOIN_MAX_PER_IP: '6',
      JOIN_MAX_INVALID_PER_IP: '3',
      JOIN_WINDOW_SECONDS: '600',
    },
  });
  admin = await createUser(app.ctx, { is_admin: true, first_name: 'Ada', last_name: 'Admin' });
});
afterAll(async () => {
  await closeInvitationQueues(app.ctx);
  await app.stop();
});
beforeEach(() => {
  hashes.mockClear();
});

/** A directory professional with an account (signed in). */
async function colleague(first: string, last: string) {
  const { professional, structure } = await directoryProfessional(app.ctx, {
    firstName: first,
    lastName: last,
  });
  const user = await createUser(app.ctx, {
    professional_id: professional.id,
    first_name: first,
    last_name: last,
  });
  return { ...user, professionalId: professional.id as number, structure };
}

async function newConversation(token: string, recipients: object[], subject = 'Suivi de M. R.') {
  const res = await call(app.server, 'POST', '/api/conversations', {
    token,
    payload: {
      subject,
      patient: { reference: 'ROBERT Paul 1950' },
      recipients,
      message: { id: crypto.randomUUID(), body: 'Kaliémie à 6,2 ce matin.' },
    },
  });
  expect(res.statusCode, res.payload).toBe(201);
  return res.body.conversation.id as number;
}

async function canRead(token: string, conversationId: number): Promise<boolean> {
  const get = await call(app.server, 'GET', `/api/conversations/${conversationId}`, { token });
  const messages = await call(app.server, 'GET', `/api/conversations/${conversationId}/messages`, {
    token,
  });
  expect(get.statusCode).toBe(messages.statusCode);
  return get.statusCode === 200;
}

describe('an outsider invites the structure "DAC SESAN" to an address they own', () => {
  it('records a membership request, not a membership; the administrator approves it', async () => {
    const { structure: sesan } = await directoryProfessional(app.ctx, {
      structureName: 'DAC SESAN',
    });
    const claire = await colleague('Claire', 'Martin');
    const karim = await colleague('Karim', 'Benali');
    await app.ctx.db('structure_members').insert([
      { structure_id: sesan.id, account_id: claire.account.id, role: 'manager' },
      { structure_id: sesan.id, account_id: karim.account.id, role: 'member' },
    ]);
    const alice = await colleague('Alice', 'Dubois');
    const secret = await newConversation(alice.token, [{ kind: 'structure', id: sesan.id }]);
    const eve = await colleague('Eve', 'Dehors');
    const shared = await newConversation(eve.token, [{ kind: 'structure', id: sesan.id }], 'Hello');

    const joined = await joinThrough(app, eve.token, {
      structureId: sesan.id,
      channel: 'email',
      address: `eve-${randomBytes(3).toString('hex')}@evil.test`,
      conversationId: shared,
    });

    // Not a member; only the shared conversation, nothing else the structure receives.
    expect(
      await app.ctx.db('structure_members').where({ account_id: joined.accountId }).first(),
    ).toBeUndefined();
    expect(joined.conversationIds).toEqual([shared]);
    expect(await listedIds(app, joined.token)).toEqual([shared]);
    expect(await canRead(joined.token, shared)).toBe(true);
    expect(await canRead(joined.token, secret)).toBe(false);
    const filtered = await call(app.server, 'GET', `/api/conversations?structureId=${sesan.id}`, {
      token: joined.token,
    });
    expect(filtered.body.conversations.map((c: { id: number }) => c.id)).not.toContain(secret);
    const me = await call(app.server, 'GET', '/api/me', { token: joined.token });
    expect(me.body).toMatchObject({
      structures: [],
      identityVerified: false,
      professionalId: null,
    });

    // Everyone in the shared conversation sees the newcomer as not verified.
    const seen = await call(app.server, 'GET', `/api/conversations/${shared}`, {
      token: karim.token,
    });
    expect(seen.body.participants).toContainEqual(
      expect.objectContaining({ kind: 'account', id: joined.accountId, identityVerified: false }),
    );

    // The structure's administrator (not a plain member, not the inviter) sees the request.
    const forKarim = await call(app.server, 'GET', '/api/structures/membership-requests', {
      token: karim.token,
    });
    expect(forKarim.statusCode).toBe(200);
    expect(forKarim.body.requests).toEqual([]);
    const request = await membershipRequestOf(app, claire.token, joined.accountId);
    expect(request).toMatchObject({
      structure: { id: sesan.id, name: 'DAC SESAN' },
      account: { id: joined.accountId, identityVerified: false },
      invitation: { id: joined.invitationId, inviter: { accountId: eve.account.id } },
      status: 'pending',
    });
    for (const who of [karim, eve]) {
      const refused = await call(
        app.server,
        'POST',
        `/api/structures/membership-requests/${request.id}/approve`,
        { token: who.token },
      );
      expect(refused.statusCode).toBe(403);
    }
    expect(await canRead(joined.token, secret)).toBe(false);

    const approved = await call(
      app.server,
      'POST',
      `/api/structures/membership-requests/${request.id}/approve`,
      { token: claire.token },
    );
    expect(approved.statusCode, approved.payload).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: claire.account.id });
    const row = await app.ctx.db('structure_membership_requests').where({ id: request.id }).first();
    expect(row.decided_by).toBe(claire.account.id);
    expect(row.decided_at).toBeInstanceOf(Date);
    expect(await canRead(joined.token, secret)).toBe(true);
    expect(await listedIds(app, joined.token)).toEqual([secret, shared].sort((a, b) => a - b));
  });

  it('a refused request grants nothing; an installation administrator sees requests of structures without administrators', async () => {
    const { structure } = await directoryProfessional(app.ctx, {
      structureName: 'EHPAD sans chef',
    });
    const inviter = await colleague('Inès', 'Invite');
    const joined = await joinThrough(app, inviter.token, {
      structureId: structure.id,
      channel: 'email',
      address: `x-${randomBytes(3).toString('hex')}@example.test`,
    });
    expect(joined.conversationIds).toEqual([]);
    const request = await membershipRequestOf(app, admin.token, joined.accountId);
    expect(request).toBeDefined();
    const refused = await call(
      app.server,
      'POST',
      `/api/structures/membership-requests/${request.id}/refuse`,
      { token: admin.token },
    );
    expect(refused.statusCode).toBe(200);
    expect(refused.body).toMatchObject({ status: 'refused', decidedBy: admin.account.id });
    expect(
      await app.ctx.db('structure_members').where({ account_id: joined.accountId }).first(),
    ).toBeUndefined();
    const twice = await call(
      app.server,
      'POST',
      `/api/structures/membership-requests/${request.id}/approve`,
      { token: admin.token },
    );
    expect(twice.statusCode).toBe(409);
  });

  it('an administrator attaches and detaches members directly; others cannot', async () => {
    const { structure } = await directoryProfessional(app.ctx, { structureName: 'SSIAD Nord' });
    const boss = await colleague('Bea', 'Chef');
    await app.ctx
      .db('structure_members')
      .insert({ structure_id: structure.id, account_id: boss.account.id, role: 'manager' });
    const newcomer = await colleague('Noé', 'Nouveau');
    const stranger = await colleague('Sid', 'Stranger');
    const url = `/api/structures/${structure.id}/members`;
    const denied = await call(app.server, 'POST', url, {
      token: stranger.token,
      payload: { accountId: stranger.account.id },
    });
    expect(denied.statusCode).toBe(403);
    const attached = await call(app.server, 'POST', url, {
      token: boss.token,
      payload: { accountId: newcomer.account.id },
    });
    expect(attached.statusCode, attached.payload).toBe(201);
    const row = await app.ctx
      .db('structure_members')
      .where({ structure_id: structure.id, account_id: newcomer.account.id })
      .first();
    expect(row).toMatchObject({ role: 'member', attached_by: boss.account.id });
    const detached = await call(app.server, 'DELETE', `${url}/${newcomer.account.id}`, {
      token: admin.token,
    });
    expect(detached.statusCode).toBe(204);
    expect(
      await app.ctx
        .db('structure_members')
        .where({ structure_id: structure.id, account_id: newcomer.account.id })
        .first(),
    ).toBeUndefined();
  });
});

describe('a professional without an account, invited at an address someone else owns', () => {
  it('is not bound to the directory identity until an installation administrator verifies it', async () => {
    const { professional } = await directoryProfessional(app.ctx, {
      firstName: 'Romain',
      lastName: 'Leger',
    });
    const alice = await colleague('Alice', 'Confiante');
    const addressed = await clinicalConversation(app.ctx, alice.account.id, professional.id);
    const mallory = await colleague('Mallory', 'Malin');
    const shared = await newConversation(mallory.token, [
      { kind: 'professional', id: professional.id },
    ]);
    // The real Romain's own invitation, to the directory's address, sent by Alice.
    const genuine = await inviteAndToken(app, alice.token, {
      professionalId: professional.id,
      channel: 'email',
    });

    const joined = await joinThrough(app, mallory.token, {
      professionalId: professional.id,
      channel: 'email',
      address: `romain-${randomBytes(3).toString('hex')}@evil.test`,
      conversationId: shared,
    });
    const account = await app.ctx.db('accounts').where({ id: joined.accountId }).first();
    expect(account).toMatchObject({
      professional_id: null,
      claimed_professional_id: professional.id,
      identity_verified_at: null,
    });
    expect(joined.conversationIds).toEqual([shared]);
    expect(await listedIds(app, joined.token)).toEqual([shared]);
    expect(await canRead(joined.token, addressed.id)).toBe(false);
    // The real person can still join through their own link.
    expect((await joinRequest(app, 'GET', genuine.token)).statusCode).toBe(200);
    expect(
      (await app.ctx.db('invitations').where({ id: genuine.invitationId }).first()).status,
    ).not.toBe('accepted');

    // Its messages carry the mark, for every reader.
    const sent = await call(app.server, 'POST', `/api/conversations/${shared}/messages`, {
      token: joined.token,
      payload: { id: crypto.randomUUID(), body: 'Bonjour' },
    });
    expect(sent.statusCode).toBe(201);
    expect(sent.body.sender).toMatchObject({
      accountId: joined.accountId,
      identityVerified: false,
    });
    const read = await call(app.server, 'GET', `/api/conversations/${shared}/messages`, {
      token: mallory.token,
    });
    expect(read.body.messages.at(-1).sender.identityVerified).toBe(false);
    expect(read.body.messages[0].sender.identityVerified).toBe(true);

    // Only installation administrators verify.
    const url = `/api/admin/identity/accounts/${joined.accountId}/verify`;
    for (const who of [mallory, alice]) {
      expect((await call(app.server, 'POST', url, { token: who.token })).statusCode).toBe(403);
    }
    expect(
      (await call(app.server, 'GET', '/api/admin/identity/accounts', { token: alice.token }))
        .statusCode,
    ).toBe(403);
    const pending = await call(app.server, 'GET', '/api/admin/identity/accounts', {
      token: admin.token,
    });
    expect(pending.statusCode).toBe(200);
    expect(
      pending.body.accounts.find((a: { id: number }) => a.id === joined.accountId),
    ).toMatchObject({
      claim: { professionalId: professional.id, firstName: 'Romain', lastName: 'Leger' },
      invitation: {
        id: joined.invitationId,
        addressSource: 'typed',
        inviter: { accountId: mallory.account.id },
      },
    });

    const verified = await call(app.server, 'POST', url, { token: admin.token });
    expect(verified.statusCode, verified.payload).toBe(200);
    const after = await app.ctx.db('accounts').where({ id: joined.accountId }).first();
    expect(after.professional_id).toBe(professional.id);
    expect(after.identity_verified_by).toBe(admin.account.id);
    expect(after.identity_verified_at).toBeInstanceOf(Date);
    expect(after.identity_verification_method).toBe('admin');
    expect(await canRead(joined.token, addressed.id)).toBe(true);
    expect(await listedIds(app, joined.token)).toEqual(
      [addressed.id, shared].sort((a, b) => a - b),
    );
    const me = await call(app.server, 'GET', '/api/me', { token: joined.token });
    expect(me.body).toMatchObject({ identityVerified: true, professionalId: professional.id });
    // Verification closes the professional's other open invitations.
    expect(
      (await app.ctx.db('invitations').where({ id: genuine.invitationId }).first()).status,
    ).toBe('accepted');
    // The shared conversation shows them once, as the professional.
    const view = await call(app.server, 'GET', `/api/conversations/${shared}`, {
      token: mallory.token,
    });
    const seats = view.body.participants.filter(
      (p: { kind: string; id: number }) =>
        (p.kind === 'professional' && p.id === professional.id) ||
        (p.kind === 'account' && p.id === joined.accountId),
    );
    expect(seats).toEqual([
      expect.objectContaining({
        kind: 'professional',
        id: professional.id,
        identityVerified: true,
      }),
    ]);
  });

  it('an administrator may reject a claim: the account stays unbound, and it is recorded', async () => {
    const { professional } = await directoryProfessional(app.ctx);
    const inviter = await colleague('Ivan', 'Inviteur');
    const joined = await joinThrough(app, inviter.token, {
      professionalId: professional.id,
      channel: 'email',
      address: `p-${randomBytes(3).toString('hex')}@example.test`,
    });
    const rejected = await call(
      app.server,
      'POST',
      `/api/admin/identity/accounts/${joined.accountId}/reject`,
      { token: admin.token },
    );
    expect(rejected.statusCode).toBe(200);
    const row = await app.ctx.db('accounts').where({ id: joined.accountId }).first();
    expect(row).toMatchObject({
      professional_id: null,
      claimed_professional_id: null,
      identity_rejected_by: admin.account.id,
    });
    expect(row.identity_rejected_at).toBeInstanceOf(Date);
  });
});

describe('the sign-up page', () => {
  it('never pre-fills a directory contact address as the sign-in e-mail; a typed one it may', async () => {
    const inviter = await colleague('Paula', 'Prefill');
    const { professional, structure } = await directoryProfessional(app.ctx);
    const fromDirectory = await inviteAndToken(app, inviter.token, {
      professionalId: professional.id,
      channel: 'email',
    });
    const page = await joinRequest(app, 'GET', fromDirectory.token);
    expect(page.statusCode).toBe(200);
    expect(page.payload).not.toContain(structure.email);
    expect(page.payload).toMatch(/<input id="email" name="email" type="email" value=""/);

    const typed = `typed-${randomBytes(3).toString('hex')}@example.test`;
    const other = await directoryProfessional(app.ctx);
    const fromTyped = await inviteAndToken(app, inviter.token, {
      professionalId: other.professional.id,
      channel: 'email',
      address: typed,
    });
    expect((await joinRequest(app, 'GET', fromTyped.token)).payload).toContain(`value="${typed}"`);
  });
});

describe('POST /join/{token}', () => {
  const form = {
    firstName: 'A',
    lastName: 'B',
    email: 'someone@example.test',
    password: 'correct horse battery staple',
  };

  it('checks the link before hashing the password', async () => {
    const unknown = await joinRequest(app, 'POST', 'A'.repeat(32), {
      ip: '192.0.2.10',
      payload: form,
    });
    expect(unknown.statusCode).toBe(410);
    expect(hashes).not.toHaveBeenCalled();

    const inviter = await colleague('Hugo', 'Hash');
    const { professional } = await directoryProfessional(app.ctx);
    const { token } = await inviteAndToken(app, inviter.token, {
      professionalId: professional.id,
      channel: 'email',
    });
    await app.ctx.db('invitations').where({ professional_id: professional.id }).update({
      status: 'revoked',
    });
    hashes.mockClear();
    const revoked = await joinRequest(app, 'POST', token, { ip: '192.0.2.10', payload: form });
    expect(revoked.statusCode).toBe(410);
    expect(hashes).not.toHaveBeenCalled();
  });

  it('throttles unknown links per address, strictly: then every link from there gets 429', async () => {
    const ip = '203.0.113.7';
    const inviter = await colleague('Tim', 'Throttle');
    const { professional } = await directoryProfessional(app.ctx);
    const valid = await inviteAndToken(app, inviter.token, {
      professionalId: professional.id,
      channel: 'email',
    });
    for (let i = 0; i < 3; i++) {
      const guess = randomBytes(24).toString('base64url');
      expect((await joinRequest(app, 'GET', guess, { ip })).statusCode).toBe(404);
    }
    const blocked = await joinRequest(app, 'GET', randomBytes(24).toString('base64url'), { ip });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // A right guess from the same address learns nothing either.
    expect((await joinRequest(app, 'GET', valid.token, { ip })).statusCode).toBe(429);
    expect((await joinRequest(app, 'POST', valid.token, { ip, payload: form })).statusCode).toBe(
      429,
    );
    // Another address is not affected.
    expect((await joinRequest(app, 'GET', valid.token, { ip: '203.0.113.8' })).statusCode).toBe(
      200,
    );
  });

  it('throttles every request to /join per address (429 with Retry-After)', async () => {
    const ip = '203.0.113.20';
    const inviter = await colleague('Rita', 'Rate');
    const { professional } = await directoryProfessional(app.ctx);
    const { token } = await inviteAndToken(app, inviter.token, {
      professionalId: professional.id,
      channel: 'email',
    });
    hashes.mockClear();
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push((await joinRequest(app, 'GET', token, { ip })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const last = await joinRequest(app, 'POST', token, { ip, payload: form });
    expect(last.statusCode).toBe(429);
    expect(last.headers['retry-after']).toBeDefined();
    expect(hashes).not.toHaveBeenCalled();
  });
});

describe('the per-address invitation limit', () => {
  it('counts user+1@, User+2@… as one address, and sends to the address as typed', async () => {
    const tag = randomBytes(3).toString('hex');
    const codes: number[] = [];
    const addresses: string[] = [];
    for (const address of [
      `nina.${tag}+1@example.test`,
      `Nina.${tag}+2@Example.test`,
      `nina.${tag}@example.test`,
    ]) {
      const inviter = await colleague('Omar', 'Other');
      const { professional } = await directoryProfessional(app.ctx);
      const res = await call(app.server, 'POST', '/api/invitations', {
        token: inviter.token,
        payload: { professionalId: professional.id, channel: 'email', address },
      });
      codes.push(res.statusCode);
      addresses.push(res.body.address);
    }
    expect(codes).toEqual([201, 201, 429]);
    expect(addresses[1]).toBe(`nina.${tag}+2@example.test`);
  });
});
