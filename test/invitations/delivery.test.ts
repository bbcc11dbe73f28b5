import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, type Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../domain/context';
import {
  closeInvitationQueues,
  deliveryJobId,
  inviteProfessional,
  isGsm7,
  sweepQueuedInvitations,
} from '../../domain/invitations';
import { bullPrefix } from '../../domain/jobs/queues';
import { bullConnection } from '../../domain/redis';
import { startInvitationWorkers } from '../../workers/invitations';
import { type FakeTwilio, startFakeTwilio } from '../helpers/fake-twilio';
import { createUser, startTestApp, type TestApp, testConfig } from '../helpers/server';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { CLINICAL_WORDS, clinicalConversation, directoryProfessional, waitFor } from './fixtures';

let app: TestApp;
let smtp: TestSmtp;
let twilio: FakeTwilio;
let workers: Worker[];
let outbox: string;

beforeAll(async () => {
  smtp = await startSmtp();
  twilio = await startFakeTwilio();
  outbox = mkdtempSync(join(tmpdir(), 'relais-outbox-'));
  app = await startTestApp({
    env: {
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+33700000000',
      TWILIO_API_URL: twilio.url,
      SMS_RATE_PER_SECOND: '50',
      OUTBOX_DIR: outbox,
      PUBLIC_URL: 'https://relais.example.fr',
      // Outside quiet hours whatever the time the tests run.
      SMS_QUIET_HOURS: '0-0',
      INVITATION_RETRY_DELAY_MS: '300',
    },
  });
  workers = startInvitationWorkers(app.ctx);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await closeInvitationQueues(app.ctx);
  await app.stop();
  await smtp.close();
  await twilio.close();
  rmSync(outbox, { recursive: true, force: true });
});

async function inviter() {
  const { professional, structure } = await directoryProfessional(app.ctx, {
    firstName: 'Mathilde',
    lastName: 'Durand',
    profession: 'Infirmier',
    structureName: 'DAC SESAN',
  });
  const user = await createUser(app.ctx, {
    first_name: 'Mathilde',
    last_name: 'Durand',
    professional_id: professional.id,
  });
  await app.ctx
    .db('structure_members')
    .insert({ structure_id: structure.id, account_id: user.account.id });
  return user;
}

const invitationRow = (id: number) => app.ctx.db('invitations').where({ id }).first();
const sentStatus = (id: number) =>
  waitFor(async () => {
    const row = await invitationRow(id);
    return row.status !== 'queued' && row;
  });

describe('invitation delivery', () => {
  it('e-mails the directory contact: who invites, the link, no clinical content', async () => {
    const me = await inviter();
    const { professional, structure } = await directoryProfessional(app.ctx, {
      firstName: 'Romain',
      lastName: 'Leger',
    });
    const conversation = await clinicalConversation(app.ctx, me.account.id, professional.id);
    const { invitation, enqueued } = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      {
        professionalId: professional.id,
        channel: 'email',
        conversationId: conversation.id,
        note: 'Au plaisir',
      },
    );
    expect(enqueued).toBe(true);
    expect(invitation).toMatchObject({
      status: 'queued',
      address: structure.email,
      address_source: 'directory',
    });
    const row = await sentStatus(invitation.id);
    expect(row.status).toBe('sent');
    expect(row.provider_id).toMatch(/^<invitation-\d+-1@relais\.example\.fr>$/);

    const mails = smtp.received.filter((m) => m.to.includes(structure.email));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('Mathilde Durand vous invite sur Relais');
    expect(mail.raw).toContain('text/plain');
    expect(mail.raw).toContain('text/html');
    expect(mail.decoded).toContain('Bonjour Romain Leger');
    expect(mail.decoded).toContain('Mathilde Durand, Infirmier, DAC SESAN');
    expect(mail.decoded).toContain('Au plaisir');
    expect(mail.decoded).toMatch(/https:\/\/relais\.example\.fr\/join\/[A-Za-z0-9_-]{32}/);
    for (const word of CLINICAL_WORDS) expect(mail.decoded).not.toContain(word);
    // The token is kept only hashed once sent.
    const attempt = await app.ctx
      .db('invitation_attempts')
      .where({ invitation_id: invitation.id })
      .first();
    expect(attempt).toMatchObject({ state: 'sent', pending_token: null, tries: 1 });
  });

  it('e-mails in English when asked', async () => {
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    const { invitation } = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      {
        professionalId: professional.id,
        channel: 'email',
        address: 'Someone@Example.TEST',
        locale: 'en',
      },
    );
    expect(invitation.address).toBe('someone@example.test');
    await sentStatus(invitation.id);
    const mail = smtp.received.find((m) => m.to.includes('someone@example.test'))!;
    expect(mail.subject).toBe('Mathilde Durand invites you to Relais');
    expect(mail.decoded).toContain('would like to exchange with you securely');
  });

  it('asks someone whose account is inactive to sign in again, not to sign up', async () => {
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    await createUser(app.ctx, { professional_id: professional.id });
    await app.ctx
      .db('accounts')
      .where({ professional_id: professional.id })
      .update({ last_active_at: app.ctx.db.raw("now() - interval '45 days'") });
    const { invitation } = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      { professionalId: professional.id, channel: 'email', address: 'back@example.test' },
    );
    await sentStatus(invitation.id);
    const mail = smtp.received.find((m) => m.to.includes('back@example.test'))!;
    expect(mail.decoded).toContain('Vous avez déjà un compte Relais');
    expect(mail.decoded).toContain('Me reconnecter');
    expect(mail.decoded).not.toContain('Créer mon compte');
  });

  it('sends one GSM-7 SMS with the link through the twilio client, no clinical content', async () => {
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    await clinicalConversation(app.ctx, me.account.id, professional.id);
    const { invitation } = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      { professionalId: professional.id, channel: 'sms', address: '06 12 34 56 78' },
    );
    expect(invitation.address).toBe('+33612345678');
    const row = await sentStatus(invitation.id);
    expect(row.status).toBe('sent');
    const sms = twilio.sent.filter((m) => m.to === '+33612345678');
    expect(sms).toHaveLength(1);
    expect(row.provider_id).toBe(sms[0]!.sid);
    expect(sms[0]!.from).toBe('+33700000000');
    expect(sms[0]!.statusCallback).toBe('https://relais.example.fr/api/webhooks/twilio/status');
    expect(sms[0]!.body.length).toBeLessThanOrEqual(160);
    expect(isGsm7(sms[0]!.body)).toBe(true);
    expect(sms[0]!.body).toMatch(
      /^Mathilde Durand vous invite sur Relais.*https:\/\/relais\.example\.fr\/join\/[A-Za-z0-9_-]{32}$/,
    );
    for (const word of CLINICAL_WORDS) expect(sms[0]!.body).not.toContain(word);
  });

  it('retries a transient SMTP failure with backoff, then delivers once', async () => {
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    let refusals = 0;
    smtp.behaviour = {
      dataCode: (mail) =>
        mail.to.includes('busy@example.test') && refusals++ === 0 ? 451 : undefined,
    };
    const { invitation } = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      { professionalId: professional.id, channel: 'email', address: 'busy@example.test' },
    );
    const row = await sentStatus(invitation.id);
    smtp.behaviour = {};
    expect(row.status).toBe('sent');
    expect(refusals).toBe(2);
    expect(smtp.received.filter((m) => m.to.includes('busy@example.test'))).toHaveLength(1);
    const attempt = await app.ctx
      .db('invitation_attempts')
      .where({ invitation_id: invitation.id })
      .first();
    expect(attempt).toMatchObject({ state: 'sent', tries: 2 });
  });

  it('fails at once, without retry, on a permanent SMTP rejection', async () => {
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    let tries = 0;
    smtp.behaviour = {
      rcptCode: (address) => {
        if (address !== 'nobody@example.test') return undefined;
        tries++;
        return 550;
      },
    };
    const { invitation } = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      { professionalId: professional.id, channel: 'email', address: 'nobody@example.test' },
    );
    const row = await sentStatus(invitation.id);
    smtp.behaviour = {};
    expect(row.status).toBe('failed');
    expect(row.failure_reason).toMatch(/SMTP 550/);
    await new Promise((r) => setTimeout(r, 300));
    expect(tries).toBe(1);
  });

  it('fails at once on Twilio 21211/21614, retries Twilio 5xx', async () => {
    const me = await inviter();
    const a = await directoryProfessional(app.ctx);
    const b = await directoryProfessional(app.ctx);
    let fiveHundreds = 0;
    twilio.respond = (to) => {
      if (to === '+33611111111') return { status: 400, code: 21614, message: 'not a mobile' };
      if (to === '+33622222222' && fiveHundreds++ === 0) return { status: 503, code: 20500 };
      return undefined;
    };
    const bad = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      { professionalId: a.professional.id, channel: 'sms', address: '0611111111' },
    );
    const flaky = await inviteProfessional(
      app.ctx,
      { accountId: me.account.id },
      { professionalId: b.professional.id, channel: 'sms', address: '0622222222' },
    );
    const badRow = await sentStatus(bad.invitation.id);
    const flakyRow = await sentStatus(flaky.invitation.id);
    twilio.respond = undefined;
    expect(badRow).toMatchObject({ status: 'failed' });
    expect(badRow.failure_reason).toMatch(/Twilio 21614/);
    expect(flakyRow.status).toBe('sent');
    expect(fiveHundreds).toBe(2);
    expect(twilio.sent.filter((m) => m.to === '+33622222222')).toHaveLength(1);
  });

  it('the sweep re-enqueues an invitation whose job was lost', async () => {
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    // A producer whose jobs go nowhere (another prefix): committed, never delivered.
    const lostCtx = createContext(
      testConfig(app.database, { REDIS_PREFIX: `${app.ctx.config.redisPrefix}-lost` }),
      {
        db: app.ctx.db,
      },
    );
    const { invitation } = await inviteProfessional(
      lostCtx,
      { accountId: me.account.id },
      { professionalId: professional.id, channel: 'email', address: 'lost@example.test' },
    );
    await closeInvitationQueues(lostCtx);
    await lostCtx.redis.quit();
    await new Promise((r) => setTimeout(r, 300));
    expect((await invitationRow(invitation.id)).status).toBe('queued');
    expect(await sweepQueuedInvitations(app.ctx, { olderThanSeconds: 0 })).toBeGreaterThanOrEqual(
      1,
    );
    const row = await sentStatus(invitation.id);
    expect(row.status).toBe('sent');
    // A second sweep finds nothing queued, and the SMTP server got one message.
    await sweepQueuedInvitations(app.ctx, { olderThanSeconds: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.filter((m) => m.to.includes('lost@example.test'))).toHaveLength(1);
  });

  it('holds SMS during quiet hours (delayed, not dropped)', async () => {
    // 22:30 in Paris (winter: UTC+1), on the context's clock: the invitation's send time
    // and the job's delay are both counted from it, whatever the date the test runs.
    const now = new Date('2026-11-26T21:30:00Z');
    const quiet = createContext(
      testConfig(app.database, {
        REDIS_PREFIX: app.ctx.config.redisPrefix,
        SMS_QUIET_HOURS: '21-8',
      }),
      { db: app.ctx.db, now: () => now },
    );
    const me = await inviter();
    const { professional } = await directoryProfessional(app.ctx);
    const { invitation } = await inviteProfessional(
      quiet,
      { accountId: me.account.id },
      { professionalId: professional.id, channel: 'sms', address: '0633333333' },
    );
    expect(invitation.send_after?.toISOString()).toBe('2026-11-27T07:00:00.000Z');
    const queue = new Queue('invitation-sms', {
      connection: bullConnection(app.ctx.config.redisUrl),
      prefix: bullPrefix(app.ctx.config),
    });
    const job = await queue.getJob(deliveryJobId({ invitationId: invitation.id, attempt: 1 }));
    expect(await job?.getState()).toBe('delayed');
    // Held until 08:00 Paris: 9 h 30 after the invitation.
    expect(job!.delay).toBe(9.5 * 3600_000);
    await job!.remove();
    await queue.close();
    await closeInvitationQueues(quiet);
    await quiet.redis.quit();
  });

  it('marks the invitation failed when the last try of a transient failure fails', async () => {
    // A deployment with 2 tries: its own queues (prefix), same database and SMTP server.
    const few = createContext(
      testConfig(app.database, {
        REDIS_PREFIX: `${app.ctx.config.redisPrefix}-few`,
        SMTP_URL: smtp.url,
        INVITATION_MAX_TRIES: '2',
        INVITATION_RETRY_DELAY_MS: '100',
      }),
      { db: app.ctx.db },
    );
    const fewWorkers = startInvitationWorkers(few);
    try {
      const me = await inviter();
      const { professional } = await directoryProfessional(app.ctx);
      let tries = 0;
      smtp.behaviour = {
        dataCode: (mail) => (mail.to.includes('down@example.test') ? ++tries && 421 : undefined),
      };
      const { invitation } = await inviteProfessional(
        few,
        { accountId: me.account.id },
        { professionalId: professional.id, channel: 'email', address: 'down@example.test' },
      );
      const row = await sentStatus(invitation.id);
      smtp.behaviour = {};
      expect(row.status).toBe('failed');
      expect(row.failure_reason).toMatch(/SMTP 421/);
      expect(tries).toBe(2);
    } finally {
      await Promise.all(fewWorkers.map((w) => w.close()));
      await closeInvitationQueues(few);
      await few.redis.quit();
    }
  });
});
