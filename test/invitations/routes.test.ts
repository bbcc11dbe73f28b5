import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEntries } from '../../domain/directory/entries';
import { closeInvitationQueues } from '../../domain/invitations';
import { type ApiResponse, call, createUser, startTestApp, type TestApp } from '../helpers/server';
import { clinicalConversation, directoryProfessional } from './fixtures';

const AUTH_TOKEN = 'b3f1c2d4e5f60718293a4b5c6d7e8f90';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    env: {
      PUBLIC_URL: 'https://relais.example.fr',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+33700000000',
      TWILIO_API_URL: 'http://127.0.0.1:9',
      INVITATION_MAX_PER_INVITER_PER_DAY: '4',
      INVITATION_MAX_PER_TARGET_PER_WEEK: '2',
    },
  });
});
afterAll(async () => {
  await closeInvitationQueues(app.ctx);
  await app.stop();
});

async function someone() {
  const { professional } = await directoryProfessional(app.ctx, {
    firstName: 'Mathilde',
    lastName: 'Durand',
  });
  return createUser(app.ctx, {
    professional_id: professional.id,
    first_name: 'Mathilde',
    last_name: 'Durand',
  });
}

const invite = (token: string, payload: object) =>
  call(app.server, 'POST', '/api/invitations', { token, payload });
const count = async () => Number((await app.ctx.db('invitations').count({ n: '*' }))[0]!.n);
const pendingToken = async (id: number) =>
  (
    await app.ctx
      .db('invitation_attempts')
      .where({ invitation_id: id })
      .orderBy('attempt', 'desc')
      .first()
  ).pending_token as string;
const html = (res: ApiResponse) => res.payload;

describe('POST /api/invitations', () => {
  it('invites to the directory e-mail and shows the invitation as queued', async () => {
    const me = await someone();
    const { professional, structure } = await directoryProfessional(app.ctx);
    const res = await invite(me.token, { professionalId: professional.id, channel: 'email' });
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({
      professionalId: professional.id,
      channel: 'email',
      address: structure.email,
      addressSource: 'directory',
      status: 'queued',
      inviteeName: `${professional.first_name} ${professional.last_name}`,
    });
    expect(res.body).not.toHaveProperty('token');
    const list = await call(app.server, 'GET', '/api/invitations', { token: me.token });
    expect(list.body.invitations.map((i: { id: number }) => i.id)).toEqual([res.body.id]);
    // The directory shows the professional as invited.
    const shown = await loadEntries(app.ctx.db, { accountId: me.account.id, inactivityDays: 30 }, [
      { kind: 'p', id: professional.id },
    ]);
    expect(shown).toMatchObject([{ professionalId: professional.id, status: 'invited' }]);
  });

  it('normalises a typed mobile to E.164, overseas included', async () => {
    const me = await someone();
    const { professional } = await directoryProfessional(app.ctx);
    const res = await invite(me.token, {
      professionalId: professional.id,
      channel: 'sms',
      address: '0690 12 34 56',
    });
    expect(res.statusCode).toBe(201);
    expect(res.body.address).toBe('+590690123456');
  });

  it('refuses invalid or non-mobile numbers with a clear 400, nothing queued', async () => {
    const me = await someone();
    const { professional } = await directoryProfessional(app.ctx, { phone: '0381385454' });
    const before = await count();
    const bad = await invite(me.token, {
      professionalId: professional.id,
      channel: 'sms',
      address: '12345',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.message).toMatch(/not a valid phone number/);
    const landline = await invite(me.token, {
      professionalId: professional.id,
      channel: 'sms',
      address: '01 23 45 67 89',
    });
    expect(landline.statusCode).toBe(400);
    expect(landline.body.message).toMatch(/\+33123456789 is not a mobile number/);
    const directory = await invite(me.token, { professionalId: professional.id, channel: 'sms' });
    expect(directory.statusCode).toBe(400);
    expect(directory.body.message).toMatch(/no mobile number/);
    const email = await invite(me.token, {
      professionalId: professional.id,
      channel: 'email',
      address: 'not-an-email',
    });
    expect(email.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('limits invitations per target per week and per inviter per day (429)', async () => {
    const a = await someone();
    const b = await someone();
    const c = await someone();
    const { professional } = await directoryProfessional(app.ctx);
    expect(
      (await invite(a.token, { professionalId: professional.id, channel: 'email' })).statusCode,
    ).toBe(201);
    expect(
      (await invite(b.token, { professionalId: professional.id, channel: 'email' })).statusCode,
    ).toBe(201);
    const third = await invite(c.token, { professionalId: professional.id, channel: 'email' });
    expect(third.statusCode).toBe(429);
    expect(third.body.message).toMatch(/already been invited 2 times this week/);
    expect(third.headers['retry-after']).toBeDefined();

    // The refused one did not count: four more, then the limit.
    for (let i = 0; i < 4; i++) {
      const other = await directoryProfessional(app.ctx);
      expect(
        (await invite(c.token, { professionalId: other.professional.id, channel: 'email' }))
          .statusCode,
      ).toBe(201);
    }
    const other = await directoryProfessional(app.ctx);
    const fifth = await invite(c.token, {
      professionalId: other.professional.id,
      channel: 'email',
    });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.body.message).toMatch(/4 invitations in the last 24 hours/);
  });

  it('will not invite someone who already uses Relais', async () => {
    const me = await someone();
    const active = await someone();
    const res = await invite(me.token, {
      professionalId: active.account.professional_id,
      channel: 'email',
    });
    expect(res.statusCode).toBe(409);
  });
});

describe('the invitation link', () => {
  it('opens a prefilled sign-up page; joining creates an unverified account that sees the shared conversation; single use', async () => {
    const me = await someone();
    const { professional, structure } = await directoryProfessional(app.ctx, {
      firstName: 'Romain',
      lastName: 'Leger',
    });
    const conversation = await clinicalConversation(app.ctx, me.account.id, professional.id);
    const created = await invite(me.token, {
      professionalId: professional.id,
      channel: 'email',
      conversationId: conversation.id,
    });
    const token = await pendingToken(created.body.id);

    const form = await call(app.server, 'GET', `/join/${token}`);
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/text\/html/);
    expect(html(form)).toContain('value="Romain"');
    expect(html(form)).toContain('value="Leger"');
    // The directory's contact address is not offered as the sign-in e-mail (issue 10).
    expect(html(form)).not.toContain(`value="${structure.email}"`);
    expect(html(form)).toContain('Mathilde Durand vous invite');

    const joined = await call(app.server, 'POST', `/join/${token}`, {
      payload: {
        firstName: 'Romain',
        lastName: 'Leger',
        email: 'romain.leger@example.test',
        password: 'correct horse battery',
      },
    });
    expect(joined.statusCode).toBe(201);
    expect(joined.body.conversationIds).toEqual([conversation.id]);
    expect(joined.body.conversationId).toBe(conversation.id);
    const account = await app.ctx.db('accounts').where({ id: joined.body.accountId }).first();
    // Bound to the directory entry only once an administrator verifies it (identity.test.ts).
    expect(account).toMatchObject({
      professional_id: null,
      claimed_professional_id: professional.id,
      identity_verified: false,
    });
    const conversations = await call(app.server, 'GET', '/api/conversations', {
      token: joined.body.token,
    });
    expect(conversations.statusCode).toBe(200);
    expect(conversations.body.conversations.map((c: { id: number }) => c.id)).toContain(
      conversation.id,
    );

    const status = await call(app.server, 'GET', `/api/invitations/${created.body.id}`, {
      token: me.token,
    });
    expect(status.body.status).toBe('accepted');

    const again = await call(app.server, 'GET', `/join/${token}`);
    expect(again.statusCode).toBe(410);
    expect(html(again)).toContain('Lien déjà utilisé');
    const reuse = await call(app.server, 'POST', `/join/${token}`, {
      payload: {
        firstName: 'X',
        lastName: 'Y',
        email: 'other@example.test',
        password: 'correct horse battery',
      },
    });
    expect(reuse.statusCode).toBe(410);
    expect(
      await app.ctx.db('accounts').where({ email: 'other@example.test' }).first(),
    ).toBeUndefined();
  });

  it('invites a structure through its directory contact; joining asks its administrators to attach the newcomer', async () => {
    const me = await someone();
    const { structure } = await directoryProfessional(app.ctx, {
      structureName: 'EHPAD Les Tilleuls',
    });
    const created = await invite(me.token, { structureId: structure.id, channel: 'email' });
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({
      structureId: structure.id,
      address: structure.email,
      inviteeName: 'EHPAD Les Tilleuls',
    });
    const token = await pendingToken(created.body.id);
    const joined = await call(app.server, 'POST', `/join/${token}`, {
      payload: {
        firstName: 'Inès',
        lastName: 'Martin',
        email: 'ines@tilleuls.test',
        password: 'correct horse battery',
      },
    });
    expect(joined.statusCode).toBe(201);
    const member = await app.ctx
      .db('structure_members')
      .where({ structure_id: structure.id, account_id: joined.body.accountId })
      .first();
    expect(member).toBeUndefined();
    const request = await app.ctx
      .db('structure_membership_requests')
      .where({ structure_id: structure.id, account_id: joined.body.accountId })
      .first();
    expect(request).toMatchObject({ status: 'pending', invitation_id: created.body.id });
  });

  it('a form post re-renders the form with the problem', async () => {
    const me = await someone();
    const { professional } = await directoryProfessional(app.ctx);
    const created = await invite(me.token, { professionalId: professional.id, channel: 'email' });
    const token = await pendingToken(created.body.id);
    const res = await app.server.inject({
      method: 'POST',
      url: `/join/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: 'firstName=A&lastName=B&email=a%40example.test&password=short',
    });
    expect(res.statusCode).toBe(400);
    expect(res.payload).toContain('at least 12 characters');
    expect(res.payload).toContain('<form');
  });

  it('expired, revoked and replaced links get a clear page', async () => {
    const me = await someone();
    const targets = await Promise.all([1, 2, 3].map(() => directoryProfessional(app.ctx)));
    const [expired, revoked, resent] = await Promise.all(
      targets.map((t) => invite(me.token, { professionalId: t.professional.id, channel: 'email' })),
    );
    const tokens = await Promise.all(
      [expired, revoked, resent].map((r) => pendingToken(r!.body.id)),
    );

    await app.ctx
      .db('invitations')
      .where({ id: expired!.body.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const e = await call(app.server, 'GET', `/join/${tokens[0]}`);
    expect(e.statusCode).toBe(410);
    expect(html(e)).toContain('Lien expiré');
    expect(
      (await call(app.server, 'GET', `/api/invitations/${expired!.body.id}`, { token: me.token }))
        .body.status,
    ).toBe('expired');

    const r = await call(app.server, 'POST', `/api/invitations/${revoked!.body.id}/revoke`, {
      token: me.token,
    });
    expect(r.body.status).toBe('revoked');
    const rp = await call(app.server, 'GET', `/join/${tokens[1]}`);
    expect(rp.statusCode).toBe(410);
    expect(html(rp)).toContain('Invitation annulée');

    const again = await call(app.server, 'POST', `/api/invitations/${resent!.body.id}/resend`, {
      token: me.token,
    });
    expect(again.statusCode).toBe(200);
    expect(again.body).toMatchObject({ status: 'queued', attempt: 2 });
    const old = await call(app.server, 'GET', `/join/${tokens[2]}`);
    expect(old.statusCode).toBe(404);
    expect(html(old)).toContain('Lien non valide');
    const fresh = await pendingToken(resent!.body.id);
    expect(fresh).not.toBe(tokens[2]);
    expect((await call(app.server, 'GET', `/join/${fresh}`)).statusCode).toBe(200);
    const attempts = await app.ctx
      .db('invitation_attempts')
      .where({ invitation_id: resent!.body.id })
      .orderBy('attempt');
    expect(attempts.map((a) => a.state)).toEqual(['failed', 'queued']);

    // Someone else's invitation is not found.
    const stranger = await someone();
    expect(
      (
        await call(app.server, 'POST', `/api/invitations/${resent!.body.id}/revoke`, {
          token: stranger.token,
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('Twilio status callback', () => {
  const url = 'https://relais.example.fr/api/webhooks/twilio/status';
  async function sentSms() {
    const me = await someone();
    const { professional } = await directoryProfessional(app.ctx);
    const res = await invite(me.token, {
      professionalId: professional.id,
      channel: 'sms',
      address: '0644444444',
    });
    const sid = `SM${res.body.id.toString(16).padStart(32, '0')}`;
    await app.ctx
      .db('invitations')
      .where({ id: res.body.id })
      .update({ status: 'sent', provider_id: sid });
    return { id: res.body.id as number, sid };
  }
  const post = (params: Record<string, string>, signature?: string) =>
    app.server.inject({
      method: 'POST',
      url: '/api/webhooks/twilio/status',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature ? { 'x-twilio-signature': signature } : {}),
      },
      payload: new URLSearchParams(params).toString(),
    });

  it('applies a signed report', async () => {
    const { id, sid } = await sentSms();
    const params = {
      MessageSid: sid,
      MessageStatus: 'delivered',
      AccountSid: `AC${'0'.repeat(32)}`,
    };
    const res = await post(params, twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params));
    expect(res.statusCode).toBe(204);
    const row = await app.ctx.db('invitations').where({ id }).first();
    expect(row.status).toBe('delivered');
  });

  it('refuses unsigned or badly signed reports (403), nothing changed', async () => {
    const { id, sid } = await sentSms();
    const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' };
    expect((await post(params)).statusCode).toBe(403);
    const forged = twilio.getExpectedTwilioSignature('not-the-token', url, params);
    expect((await post(params, forged)).statusCode).toBe(403);
    const otherParams = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {
      ...params,
      MessageStatus: 'sent',
    });
    expect((await post(params, otherParams)).statusCode).toBe(403);
    expect((await app.ctx.db('invitations').where({ id }).first()).status).toBe('sent');
    // Correctly signed, the failure is recorded with Twilio's code.
    const ok = await post(params, twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params));
    expect(ok.statusCode).toBe(204);
    const row = await app.ctx.db('invitations').where({ id }).first();
    expect(row).toMatchObject({
      status: 'failed',
      failure_reason: 'SMS undelivered (Twilio error 30003)',
    });
  });
});
