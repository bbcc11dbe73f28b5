import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInvitationQueues } from '../../domain/invitations';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import {
  type Joined,
  joinThrough,
  listedIds,
  membershipRequestOf,
} from '../invitations/identity-fixtures';
import {
  attach,
  conversationRoutes,
  conversationState,
  create,
  insertProfessional,
  insertStructure,
  type Person,
  person,
  pro,
  send,
  struct,
} from './fixtures';

/**
 * The authorisation matrix for accounts created through invitations (issue 10): what each
 * kind may do with a conversation addressed to the identity or structure it was invited
 * as, and with the one conversation the inviter shared. The same routes as
 * authorization.test.ts; only verification or an administrator's approval opens more.
 */
let app: TestApp;
let admin: TestUser;
let alice: Person;
let boss: Person;
let unit: number;
let addressed: number;
let shared: number;
let firstMessage: string;
let claimedId: number;
const as: Record<'unverified' | 'verified' | 'pending' | 'approved', Joined> = {} as never;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createUser(app.ctx, { is_admin: true });
  [alice, boss] = await Promise.all([
    person(app.ctx, 'Alice', 'Martin'),
    person(app.ctx, 'Bea', 'Chef'),
  ]);
  unit = await insertStructure(app.ctx, 'Unité A');
  await attach(app.ctx, unit, boss.account.id, 'manager');
  const [claimed, confirmed] = await Promise.all([
    insertProfessional(app.ctx, { first_name: 'Paul', last_name: 'Claim' }),
    insertProfessional(app.ctx, { first_name: 'Vera', last_name: 'Verified' }),
  ]);
  claimedId = claimed;
  const a = await create(app.server, alice.token, [pro(claimed), pro(confirmed), struct(unit)]);
  addressed = a.body.conversation.id;
  firstMessage = a.body.message.id;
  const s = await create(app.server, alice.token, [pro(claimed)], { subject: 'Partagée' });
  shared = s.body.conversation.id;

  const typed = () => `inv-${randomBytes(4).toString('hex')}@example.test`;
  const invite = (target: object) =>
    joinThrough(app, alice.token, {
      ...target,
      channel: 'email',
      address: typed(),
      conversationId: shared,
    });
  as.unverified = await invite({ professionalId: claimed });
  as.verified = await invite({ professionalId: confirmed });
  as.pending = await invite({ structureId: unit });
  as.approved = await invite({ structureId: unit });

  const verified = await call(
    app.server,
    'POST',
    `/api/admin/identity/accounts/${as.verified.accountId}/verify`,
    { token: admin.token },
  );
  expect(verified.statusCode).toBe(200);
  const request = await membershipRequestOf(app, boss.token, as.approved.accountId);
  const approved = await call(
    app.server,
    'POST',
    `/api/structures/membership-requests/${request.id}/approve`,
    { token: boss.token },
  );
  expect(approved.statusCode).toBe(200);
  // Something unread for everyone in both conversations.
  await send(app.server, alice.token, addressed, 'Résultats de Mme D.');
  await send(app.server, alice.token, shared, 'Bienvenue');
});
afterAll(async () => {
  await closeInvitationQueues(app.ctx);
  await app.stop();
});

/** Every route touching one of these conversations (as in authorization.test.ts). */
const endpoints = (conversationId: number) =>
  conversationRoutes(conversationId, firstMessage, alice.professionalId);

async function existingCount(token: string) {
  const res = await call(
    app.server,
    'GET',
    `/api/conversations/existing?professional=${alice.professionalId}&professional=${claimedId}&structure=${unit}`,
    { token },
  );
  return res.body.count as number;
}

describe('a conversation addressed to the identity or structure an invitation named', () => {
  it.each([
    ['an unverified account (claims the professional)', 'unverified'],
    ['a structure invitation still pending', 'pending'],
  ] as const)('is refused on every route to %s, changing nothing', async (_who, kind) => {
    const before = await conversationState(app.ctx, addressed);
    for (const [method, url, payload] of endpoints(addressed)) {
      const res = await call(app.server, method, url, { token: as[kind].token, payload });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect(await conversationState(app.ctx, addressed)).toEqual(before);
    expect(await listedIds(app, as[kind].token)).toEqual([shared]);
    const filtered = await call(app.server, 'GET', `/api/conversations?structureId=${unit}`, {
      token: as[kind].token,
    });
    expect(filtered.body.conversations).toEqual([]);
    expect(await existingCount(as[kind].token)).toBe(0);
  });

  it.each([
    ['a verified account', 'verified'],
    ['an approved structure member', 'approved'],
  ] as const)('is open on every route to %s, unread count included', async (_who, kind) => {
    const token = as[kind].token;
    const list = await call(app.server, 'GET', '/api/conversations', { token });
    const summary = list.body.conversations.find((c: { id: number }) => c.id === addressed);
    expect(summary.unreadCount).toBeGreaterThanOrEqual(2);
    // S17 counts exact participant sets from the reader's own seat: the professional's.
    if (kind === 'verified') expect(await existingCount(token)).toBe(1);
    for (const [method, url, payload] of endpoints(addressed)) {
      if (url.endsWith('/leave') || url.endsWith('/participants')) continue;
      const res = await call(app.server, method, url, {
        token,
        payload:
          url.endsWith('/messages') && method === 'POST'
            ? { id: randomUUID(), body: 'Vu' }
            : payload,
      });
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(300);
    }
  });
});

describe('the conversation the inviter shared', () => {
  it.each(['unverified', 'verified', 'pending', 'approved'] as const)(
    'is open to the %s account, which everyone sees with its verification state',
    async (kind) => {
      const token = as[kind].token;
      const list = await call(app.server, 'GET', '/api/conversations', { token });
      const summary = list.body.conversations.find((c: { id: number }) => c.id === shared);
      expect(summary.unreadCount).toBeGreaterThan(0);
      for (const [method, url] of endpoints(shared).slice(0, 3)) {
        expect((await call(app.server, method, url, { token })).statusCode).toBe(200);
      }
      const sent = await send(app.server, token, shared, `Bonjour de ${kind}`);
      expect(sent.statusCode).toBe(201);
      const view = await call(app.server, 'GET', `/api/conversations/${shared}`, {
        token: alice.token,
      });
      const verified = kind === 'verified';
      const seat = view.body.participants.find(
        (p: { kind: string; id: number }) => p.kind === 'account' && p.id === as[kind].accountId,
      );
      if (verified) {
        // Bound to its professional, it takes part as the professional now.
        expect(seat).toBeUndefined();
      } else {
        expect(seat).toMatchObject({ identityVerified: false });
      }
      const me = await call(app.server, 'GET', '/api/me', { token });
      expect(me.body.identityVerified).toBe(verified);
    },
  );

  it('an account attached by approval leaves no trace of verification: still not verified', async () => {
    const me = await call(app.server, 'GET', '/api/me', { token: as.approved.token });
    expect(me.body.structures).toEqual([expect.objectContaining({ id: unit, role: 'member' })]);
    expect(me.body.identityVerified).toBe(false);
    const members = await call(app.server, 'GET', `/api/directory/structures/${unit}/members`, {
      token: alice.token,
    });
    expect(members.body.members).toContainEqual(
      expect.objectContaining({ accountId: as.approved.accountId, identityVerified: false }),
    );
  });

  it('detaching an approved member closes the structure’s conversations again', async () => {
    const extra = await joinThrough(app, alice.token, {
      structureId: unit,
      channel: 'email',
      address: `det-${randomBytes(4).toString('hex')}@example.test`,
    });
    await attach(app.ctx, unit, extra.accountId);
    expect(await listedIds(app, extra.token)).toContain(addressed);
    const detached = await call(
      app.server,
      'DELETE',
      `/api/structures/${unit}/members/${extra.accountId}`,
      { token: boss.token },
    );
    expect(detached.statusCode).toBe(204);
    expect(await listedIds(app, extra.token)).toEqual([]);
    expect(
      (await call(app.server, 'GET', `/api/conversations/${addressed}`, { token: extra.token }))
        .statusCode,
    ).toBe(404);
  });
});
