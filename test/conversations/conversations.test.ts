import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';
import {
  attach,
  create,
  insertProfessional,
  insertStructure,
  type Person,
  person,
  pro,
  send,
  struct,
} from './fixtures';

let app: TestApp;
let alice: Person;
let bruno: Person;
beforeAll(async () => {
  app = await startTestApp();
  alice = await person(app.ctx, 'Alice', 'Martin');
  bruno = await person(app.ctx, 'Bruno', 'Petit');
});
afterAll(() => app.stop());

const INS = {
  matricule: '184127645108946',
  birthName: 'Dupont',
  firstName: 'Jeanne',
  birthDate: '1984-12-01',
  sex: 'F',
};

async function counts() {
  const [c] = await app.ctx.db('conversations').count({ n: '*' });
  const [m] = await app.ctx.db('messages').count({ n: '*' });
  return { conversations: Number(c?.n), messages: Number(m?.n) };
}

describe('creating a conversation', () => {
  it('stores subject, INS patient, people and structures mixed, and the first message', async () => {
    const msf = await insertStructure(app.ctx, 'MSF');
    const noAccount = await insertProfessional(app.ctx, { first_name: 'Zoé', last_name: 'Sans' });
    const res = await create(
      app.server,
      alice.token,
      [pro(bruno.professionalId), struct(msf), pro(noAccount)],
      {
        patient: { ins: { ...INS, oid: '1.2.250.1.213.1.4.8' } },
      },
    );
    expect(res.statusCode).toBe(201);
    const { conversation, message } = res.body;
    expect(conversation.subject).toBe('Sortie de Mme D.');
    expect(conversation.patient.ins).toMatchObject({
      matricule: '184127645108946',
      birthName: 'DUPONT',
    });
    expect(conversation.lastSeq).toBe(1);
    const byKind = conversation.participants.map(
      (p: { kind: string; id: number; accountStatus: string }) => [p.kind, p.id, p.accountStatus],
    );
    expect(byKind).toEqual(
      expect.arrayContaining([
        ['professional', alice.professionalId, 'active'],
        ['professional', bruno.professionalId, 'active'],
        ['structure', msf, null],
        ['professional', noAccount, 'none'],
      ]),
    );
    expect(message).toMatchObject({ seq: 1, mine: true, structure: null });
    expect(message.sender).toMatchObject({ accountId: alice.account.id, firstName: 'Alice' });
  });

  it('lets a professional who signs up later see the conversation that waited for them', async () => {
    const later = await insertProfessional(app.ctx, { first_name: 'Léa', last_name: 'Tard' });
    const res = await create(app.server, alice.token, [pro(later)]);
    expect(res.statusCode).toBe(201);
    const lea = await createUser(app.ctx, { first_name: 'Léa', professional_id: later });
    const list = await call(app.server, 'GET', '/api/conversations', { token: lea.token });
    expect(list.body.conversations.map((c: { id: number }) => c.id)).toEqual([
      res.body.conversation.id,
    ]);
    expect(list.body.conversations[0].unreadCount).toBe(1);
  });

  it('accepts a free-text patient reference instead of an INS', async () => {
    const res = await create(app.server, alice.token, [pro(bruno.professionalId)], {
      patient: { reference: 'Mme D., chambre 12' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body.conversation.patient).toEqual({ reference: 'Mme D., chambre 12' });
  });

  it('returns the same conversation when the create is retried with the same message id', async () => {
    const payload = {
      subject: 'Retry',
      recipients: [pro(bruno.professionalId)],
      message: { id: randomUUID(), body: 'Once' },
    };
    const first = await call(app.server, 'POST', '/api/conversations', {
      token: alice.token,
      payload,
    });
    const before = await counts();
    const again = await call(app.server, 'POST', '/api/conversations', {
      token: alice.token,
      payload,
    });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
    expect(await counts()).toEqual(before);
  });

  it.each([
    [
      'an invalid INS key',
      { patient: { ins: { ...INS, matricule: '184127645108947' } } },
      'patient.ins.matricule',
    ],
    ['an empty recipient list', { recipients: [] }, 'recipients'],
    ['an unknown recipient', { recipients: [pro(999_999_999)] }, 'recipients.0'],
    ['a subject over 200 characters', { subject: 's'.repeat(201) }, 'subject'],
    [
      'a body over 10,000 characters',
      { message: { id: randomUUID(), body: 'x'.repeat(10_001) } },
      'message.body',
    ],
    [
      'an unknown structure among recipients',
      { recipients: [{ kind: 'structure', id: 888_888_888 }] },
      'recipients.0',
    ],
    ['only oneself as recipient', { recipients: 'self' }, 'recipients'],
  ] as Array<[string, Record<string, unknown>, string]>)(
    'refuses %s with 400 naming the field, storing nothing',
    async (_label, override, field) => {
      const before = await counts();
      const recipients =
        override.recipients === 'self'
          ? [pro(alice.professionalId)]
          : (override.recipients ?? [pro(bruno.professionalId)]);
      const res = await create(app.server, alice.token, recipients as never, {
        ...override,
        recipients,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body.field).toBe(field);
      expect(await counts()).toEqual(before);
    },
  );
});

describe('existing conversations with exactly these participants (S17)', () => {
  it('finds them, optionally for the same patient, and not supersets or others’ conversations', async () => {
    const carl = await person(app.ctx, 'Carl', 'Roux');
    const team = await insertStructure(app.ctx, 'SSIAD Nord');
    const exact = await create(app.server, alice.token, [pro(carl.professionalId), struct(team)], {
      subject: 'Pansements',
      patient: { ins: INS },
    });
    await create(app.server, alice.token, [
      pro(carl.professionalId),
      struct(team),
      pro(bruno.professionalId),
    ]);
    await create(app.server, alice.token, [pro(carl.professionalId)]);
    // Bruno with the same people: not Alice's business.
    await create(app.server, bruno.token, [pro(carl.professionalId), struct(team)]);

    const url = `/api/conversations/existing?professional=${carl.professionalId}&structure=${team}`;
    const res = await call(app.server, 'GET', url, { token: alice.token });
    expect(res.statusCode).toBe(200);
    expect(res.body.count).toBe(1);
    expect(res.body.conversations[0]).toMatchObject({
      id: exact.body.conversation.id,
      subject: 'Pansements',
      patient: { ins: { matricule: INS.matricule } },
    });
    expect(res.body.conversations[0].lastActivityAt).toEqual(expect.any(String));

    const samePatient = await call(app.server, 'GET', `${url}&patientIns=${INS.matricule}`, {
      token: alice.token,
    });
    expect(samePatient.body.count).toBe(1);
    const otherPatient = await call(app.server, 'GET', `${url}&patientReference=quelqu'un`, {
      token: alice.token,
    });
    expect(otherPatient.body.count).toBe(0);
  });
});

describe('the conversation list (S1)', () => {
  it('puts the newest activity first, with preview, unread count, cursor pages and filters', async () => {
    const dora = await person(app.ctx, 'Dora', 'Blanc');
    const eric = await person(app.ctx, 'Eric', 'Noir');
    const unit = await insertStructure(app.ctx, 'USLD');
    await attach(app.ctx, unit, eric.account.id);
    const a = await create(app.server, dora.token, [pro(eric.professionalId)], { subject: 'A' });
    const b = await create(app.server, dora.token, [struct(unit)], {
      subject: 'B',
      patient: { reference: 'M. X' },
    });
    const c = await create(app.server, dora.token, [pro(eric.professionalId)], { subject: 'C' });
    await send(app.server, dora.token, a.body.conversation.id, 'Relance');

    const first = await call(app.server, 'GET', '/api/conversations?limit=2', {
      token: eric.token,
    });
    expect(first.statusCode).toBe(200);
    expect(first.body.conversations.map((x: { subject: string }) => x.subject)).toEqual(['A', 'C']);
    expect(first.body.conversations[0]).toMatchObject({ unreadCount: 2, lastSeq: 2 });
    expect(first.body.conversations[0].lastMessage).toMatchObject({
      body: 'Relance',
      seq: 2,
      mine: false,
    });
    const second = await call(
      app.server,
      'GET',
      `/api/conversations?limit=2&cursor=${first.body.nextCursor}`,
      {
        token: eric.token,
      },
    );
    expect(second.body.conversations.map((x: { subject: string }) => x.subject)).toEqual(['B']);
    expect(second.body.nextCursor).toBeNull();

    const byStructure = await call(app.server, 'GET', `/api/conversations?structureId=${unit}`, {
      token: eric.token,
    });
    expect(byStructure.body.conversations.map((x: { id: number }) => x.id)).toEqual([
      b.body.conversation.id,
    ]);
    const byPatient = await call(app.server, 'GET', '/api/conversations?patientReference=m.%20x', {
      token: eric.token,
    });
    expect(byPatient.body.conversations.map((x: { id: number }) => x.id)).toEqual([
      b.body.conversation.id,
    ]);
    expect(c.statusCode).toBe(201);
  });
});

describe('messages', () => {
  it('numbers messages per conversation and pages both ways by seq', async () => {
    const conv = (await create(app.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    for (let i = 2; i <= 7; i++) {
      const sent = await send(app.server, i % 2 ? alice.token : bruno.token, conv.id, `m${i}`);
      expect(sent.statusCode).toBe(201);
      expect(sent.body.seq).toBe(i);
    }
    const url = `/api/conversations/${conv.id}/messages`;
    const latest = await call(app.server, 'GET', `${url}?limit=3`, { token: bruno.token });
    expect(latest.body.messages.map((m: { seq: number }) => m.seq)).toEqual([5, 6, 7]);
    expect(latest.body).toMatchObject({ hasMoreBefore: true, hasMoreAfter: false, lastSeq: 7 });
    const older = await call(app.server, 'GET', `${url}?limit=3&before=5`, { token: bruno.token });
    expect(older.body.messages.map((m: { seq: number }) => m.seq)).toEqual([2, 3, 4]);
    const newer = await call(app.server, 'GET', `${url}?limit=2&after=4`, { token: bruno.token });
    expect(newer.body.messages.map((m: { body: string }) => m.body)).toEqual(['m5', 'm6']);
    expect(newer.body.hasMoreAfter).toBe(true);
  });

  it('stores a retried send once and answers 200 with the same message', async () => {
    const conv = (await create(app.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    const payload = { id: randomUUID(), body: 'Une seule fois' };
    const url = `/api/conversations/${conv.id}/messages`;
    const [one, two] = await Promise.all([
      call(app.server, 'POST', url, { token: alice.token, payload }),
      call(app.server, 'POST', url, { token: alice.token, payload }),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 201]);
    expect(one.body.seq).toBe(two.body.seq);
    const third = await call(app.server, 'POST', url, { token: alice.token, payload });
    expect(third.statusCode).toBe(200);
    const rows = await app.ctx.db('messages').where({ conversation_id: conv.id });
    expect(rows).toHaveLength(2);
    // Someone else reusing the id is a conflict, not a silent success.
    const stolen = await call(app.server, 'POST', url, { token: bruno.token, payload });
    expect(stolen.statusCode).toBe(409);
  });

  it('refuses a body over 10,000 characters (400 naming body) or an empty one, storing nothing', async () => {
    const conv = (await create(app.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    const long = await send(app.server, alice.token, conv.id, 'x'.repeat(10_001));
    expect(long.statusCode).toBe(400);
    expect(long.body.field).toBe('body');
    const blank = await send(app.server, alice.token, conv.id, '   ');
    expect(blank.statusCode).toBe(400);
    expect(blank.body.field).toBe('body');
    const ok = await send(app.server, alice.token, conv.id, 'x'.repeat(10_000));
    expect(ok.statusCode).toBe(201);
    expect(ok.body.seq).toBe(2);
  });
});

describe('structures as participants (S19, S20)', () => {
  it('lets every attached member read and answer on behalf of the structure, signed for each reader', async () => {
    const msf = await insertStructure(app.ctx, 'MSF');
    const mathilde = await person(app.ctx, 'Mathilde', 'Roy', {
      locale: 'fr',
      time_zone: 'Europe/Paris',
    });
    const other = await person(app.ctx, 'Omar', 'Said');
    await attach(app.ctx, msf, mathilde.account.id);
    await attach(app.ctx, msf, other.account.id);
    const reader = await person(app.ctx, 'Nina', 'West', {
      locale: 'en',
      time_zone: 'America/New_York',
    });
    const conv = (await create(app.server, reader.token, [struct(msf)])).body.conversation;

    const seen = await call(app.server, 'GET', '/api/conversations', { token: other.token });
    expect(seen.body.conversations.map((c: { id: number }) => c.id)).toContain(conv.id);

    const reply = await send(app.server, mathilde.token, conv.id, 'Bonjour,');
    expect(reply.statusCode).toBe(201);
    expect(reply.body.structure).toEqual({ id: msf, name: 'MSF' });
    expect(reply.body.sender).toMatchObject({
      accountId: mathilde.account.id,
      firstName: 'Mathilde',
    });
    await app.ctx
      .db('messages')
      .where({ id: reply.body.id })
      .update({ created_at: new Date('2026-03-30T10:25:32Z') });

    const forMathilde = await call(app.server, 'GET', `/api/conversations/${conv.id}/messages`, {
      token: mathilde.token,
    });
    const fr = forMathilde.body.messages[1];
    expect(fr.signature).toBe('MSF, expédié par MATHILDE le 30/03/26 à 12:25:32');
    expect(fr.createdAt).toBe('2026-03-30T10:25:32.000Z');
    expect(fr.mine).toBe(true);
    const forNina = await call(app.server, 'GET', `/api/conversations/${conv.id}/messages`, {
      token: reader.token,
    });
    expect(forNina.body.messages[1].signature).toBe(
      'MSF, sent by Mathilde on 30/03/26 at 06:25:32',
    );
    expect(forNina.body.messages[1].sentAt).toEqual({
      date: '30/03/26',
      time: '06:25:32',
      timeZone: 'America/New_York',
    });
  });

  it('keeps read state per member, and shows the sender who has read', async () => {
    const team = await insertStructure(app.ctx, 'Equipe mobile');
    const m1 = await person(app.ctx, 'Maud', 'Un');
    const m2 = await person(app.ctx, 'Marc', 'Deux');
    await attach(app.ctx, team, m1.account.id);
    await attach(app.ctx, team, m2.account.id);
    const conv = (await create(app.server, alice.token, [struct(team)])).body.conversation;
    const second = await send(app.server, alice.token, conv.id, 'Encore');

    const read = await call(app.server, 'POST', `/api/conversations/${conv.id}/read`, {
      token: m1.token,
      payload: { seq: 99 },
    });
    expect(read.body).toEqual({ lastReadSeq: 2, lastDeliveredSeq: 2, unreadCount: 0 });
    const list2 = await call(app.server, 'GET', `/api/conversations/${conv.id}`, {
      token: m2.token,
    });
    expect(list2.body.unreadCount).toBe(2);
    const back = await call(app.server, 'POST', `/api/conversations/${conv.id}/read`, {
      token: m1.token,
      payload: { seq: 1 },
    });
    expect(back.body.lastReadSeq).toBe(2);

    await call(app.server, 'POST', `/api/conversations/${conv.id}/delivered`, {
      token: m2.token,
      payload: { seq: 2 },
    });
    const receipts = await call(
      app.server,
      'GET',
      `/api/conversations/${conv.id}/messages/${second.body.id}/reads`,
      { token: alice.token },
    );
    expect(receipts.body.readBy.map((r: { accountId: number }) => r.accountId)).toEqual([
      m1.account.id,
    ]);
    expect(receipts.body.deliveredTo.map((r: { accountId: number }) => r.accountId).sort()).toEqual(
      [m1.account.id, m2.account.id].sort(),
    );
    const markers = await call(app.server, 'GET', `/api/conversations/${conv.id}/reads`, {
      token: alice.token,
    });
    expect(markers.body.readers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: alice.account.id, lastReadSeq: 2 }),
        expect.objectContaining({ accountId: m1.account.id, lastReadSeq: 2, firstName: 'Maud' }),
      ]),
    );
  });

  it('cuts a detached member off at once', async () => {
    const unit = await insertStructure(app.ctx, 'Cardio');
    const member = await person(app.ctx, 'Dan', 'Gone');
    await attach(app.ctx, unit, member.account.id);
    const conv = (await create(app.server, alice.token, [struct(unit)])).body.conversation;
    const before = await call(app.server, 'GET', `/api/conversations/${conv.id}/messages`, {
      token: member.token,
    });
    expect(before.statusCode).toBe(200);
    await app.ctx
      .db('structure_members')
      .where({ structure_id: unit, account_id: member.account.id })
      .delete();
    const after = await call(app.server, 'GET', `/api/conversations/${conv.id}/messages`, {
      token: member.token,
    });
    expect(after.statusCode).toBe(404);
    const post = await send(app.server, member.token, conv.id, 'Still here?');
    expect(post.statusCode).toBe(404);
    const list = await call(app.server, 'GET', '/api/conversations', { token: member.token });
    expect(list.body.conversations).toEqual([]);
  });
});

describe('participants', () => {
  it('adds participants who then see the history, and lets people leave', async () => {
    const fay = await person(app.ctx, 'Fay', 'Nouvelle');
    const conv = (await create(app.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    await send(app.server, bruno.token, conv.id, 'Avant Fay');
    const denied = await call(app.server, 'GET', `/api/conversations/${conv.id}/messages`, {
      token: fay.token,
    });
    expect(denied.statusCode).toBe(404);

    const added = await call(app.server, 'POST', `/api/conversations/${conv.id}/participants`, {
      token: bruno.token,
      payload: { recipients: [pro(fay.professionalId), pro(alice.professionalId)] },
    });
    expect(added.statusCode).toBe(200);
    expect(added.body.added).toEqual([pro(fay.professionalId)]);
    const history = await call(app.server, 'GET', `/api/conversations/${conv.id}/messages`, {
      token: fay.token,
    });
    expect(history.body.messages.map((m: { body: string }) => m.body)).toContain('Avant Fay');

    const left = await call(app.server, 'POST', `/api/conversations/${conv.id}/leave`, {
      token: fay.token,
      payload: {},
    });
    expect(left.statusCode).toBe(204);
    const gone = await call(app.server, 'GET', `/api/conversations/${conv.id}`, {
      token: fay.token,
    });
    expect(gone.statusCode).toBe(404);
    const still = await call(app.server, 'GET', `/api/conversations/${conv.id}`, {
      token: bruno.token,
    });
    expect(still.body.participants.map((p: { id: number }) => p.id)).not.toContain(
      fay.professionalId,
    );
  });

  it('refuses an unknown participant with 400 naming it', async () => {
    const conv = (await create(app.server, alice.token, [pro(bruno.professionalId)])).body
      .conversation;
    const res = await call(app.server, 'POST', `/api/conversations/${conv.id}/participants`, {
      token: alice.token,
      payload: { recipients: [pro(bruno.professionalId), struct(777_777_777)] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.field).toBe('recipients.1');
  });

  it('lets a bot account (no professional) take part', async () => {
    const bot = await createUser(app.ctx, { first_name: 'Robot' });
    await app.ctx.db('accounts').where({ id: bot.account.id }).update({ kind: 'bot' });
    const conv = (await create(app.server, alice.token, [{ kind: 'account', id: bot.account.id }]))
      .body.conversation;
    const reply = await send(app.server, bot.token, conv.id, 'Bip');
    expect(reply.statusCode).toBe(201);
    expect(conv.participants.map((p: { kind: string }) => p.kind)).toEqual([
      'professional',
      'account',
    ]);
  });
});
