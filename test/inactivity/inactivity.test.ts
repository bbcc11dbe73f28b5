import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, type Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { touchActivity } from '../../domain/accounts';
import { markInactiveAccounts, planReminders } from '../../domain/inactivity';
import { closeInvitationQueues } from '../../domain/invitations';
import { bullPrefix } from '../../domain/jobs/queues';
import { bullConnection } from '../../domain/redis';
import { startWorkers, type Workers } from '../../workers';
import { startInactivityWorker } from '../../workers/inactivity';
import { type FakeTwilio, startFakeTwilio } from '../helpers/fake-twilio';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import {
  CLINICAL_WORDS,
  clinicalConversation,
  directoryProfessional,
  waitFor,
} from '../invitations/fixtures';

let app: TestApp;
let smtp: TestSmtp;
let twilio: FakeTwilio;
let outbox: string;

beforeAll(async () => {
  smtp = await startSmtp();
  twilio = await startFakeTwilio();
  outbox = mkdtempSync(join(tmpdir(), 'relais-outbox-'));
  app = await startTestApp({
    env: {
      SMTP_URL: smtp.url,
      OUTBOX_DIR: outbox,
      PUBLIC_URL: 'https://relais.example.fr',
      INACTIVITY_SCAN_TIME: '04:15',
      INACTIVITY_REMINDER_DAYS: '30,37,51',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+33700000000',
      TWILIO_API_URL: twilio.url,
      SMS_QUIET_HOURS: '0-0',
    },
  });
});
afterAll(async () => {
  await closeInvitationQueues(app.ctx);
  await app.stop();
  await smtp.close();
  await twilio.close();
  rmSync(outbox, { recursive: true, force: true });
});

const daysAgo = (n: number) =>
  app.ctx.db.raw(`now() - make_interval(days => ${n}) - interval '1 hour'`);
const account = (id: number) => app.ctx.db('accounts').where({ id }).first();
/** Time passes for one account: every date of its inactivity moves back by `days`. */
const age = (id: number, days: number) =>
  app.ctx.db.raw(
    `UPDATE accounts SET last_active_at = last_active_at - make_interval(days => ?),
        created_at = created_at - make_interval(days => ?),
        next_reminder_at = next_reminder_at - make_interval(days => ?)
      WHERE id = ?`,
    [days, days, days, id],
  );

async function userInactiveFor(days: number | null, { waiting = true } = {}) {
  const { professional } = await directoryProfessional(app.ctx);
  const user = await createUser(app.ctx, {
    professional_id: professional.id,
    first_name: 'Claire',
  });
  // Going back in time is not activity: the reactivation trigger only fires forward.
  await app.ctx
    .db('accounts')
    .where({ id: user.account.id })
    .update({
      last_active_at: days === null ? null : daysAgo(days),
      created_at: daysAgo(days ?? 40),
    });
  if (waiting) {
    const colleague = await createUser(app.ctx);
    await clinicalConversation(app.ctx, colleague.account.id, professional.id);
  }
  return user.account.id;
}

describe('the daily scheduler', () => {
  it('is registered once however many worker processes start, at the configured time in Europe/Paris', async () => {
    const first: Workers = await startWorkers(app.ctx);
    const second: Workers = await startWorkers(app.ctx);
    await first.close();
    await second.close();
    const queue = new Queue('inactivity', {
      connection: bullConnection(app.ctx.config.redisUrl),
      prefix: bullPrefix(app.ctx.config),
    });
    const schedulers = await queue.getJobSchedulers();
    await queue.close();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({
      key: 'inactivity-scan',
      pattern: '15 4 * * *',
      tz: 'Europe/Paris',
    });
  });
});

describe('inactivity marking', () => {
  it('marks accounts without activity for 30 days (set-based), and activity reactivates at once', async () => {
    const old = await userInactiveFor(31, { waiting: false });
    const recent = await userInactiveFor(29, { waiting: false });
    const never = await userInactiveFor(null, { waiting: false });
    const disabled = await userInactiveFor(60, { waiting: false });
    await app.ctx.db('accounts').where({ id: disabled }).update({ disabled_at: new Date() });

    expect(await markInactiveAccounts(app.ctx)).toBeGreaterThanOrEqual(2);
    expect((await account(old)).inactive_since).not.toBeNull();
    expect((await account(never)).inactive_since).not.toBeNull();
    expect((await account(recent)).inactive_since).toBeNull();
    expect((await account(disabled)).inactive_since).toBeNull();
    // Idempotent: already inactive accounts are not touched again.
    const since = (await account(old)).inactive_since;
    await markInactiveAccounts(app.ctx);
    expect((await account(old)).inactive_since).toEqual(since);

    await touchActivity(app.ctx, old, { force: true });
    expect(await account(old)).toMatchObject({ inactive_since: null, reminder_step: 0 });
  });

  it('uses the partial index on last activity', async () => {
    await app.ctx.db.raw('SET enable_seqscan = off');
    const forced = await app.ctx.db.raw(
      `EXPLAIN UPDATE accounts SET inactive_since = now()
        WHERE inactive_since IS NULL AND kind = 'person' AND disabled_at IS NULL
          AND last_active_at < now() - make_interval(days => 30)`,
    );
    await app.ctx.db.raw('SET enable_seqscan = on');
    expect(JSON.stringify(forced.rows)).toContain('accounts_active_scan_idx');
  });
});

describe('reminders', () => {
  it('follow the cadence 30, 37, 51: one per user per run, none without something waiting, then no more', async () => {
    const a = await userInactiveFor(31);
    const quiet = await userInactiveFor(31, { waiting: false });
    const late = await userInactiveFor(52); // never reminded: one reminder, the latest step
    // Several waiting conversations still make one reminder.
    const colleague = await createUser(app.ctx);
    await clinicalConversation(app.ctx, colleague.account.id, (await account(a)).professional_id);

    await markInactiveAccounts(app.ctx);
    const steps = async (id: number) =>
      (await app.ctx.db('inactivity_reminders').where({ account_id: id }).orderBy('step')).map(
        (r) => r.step,
      );
    await planReminders(app.ctx);
    expect(await steps(a)).toEqual([1]);
    expect(await steps(quiet)).toEqual([]);
    expect(await steps(late)).toEqual([3]);
    await planReminders(app.ctx); // same day again: nothing
    expect(await steps(a)).toEqual([1]);

    await age(a, 3); // day 34: nothing due
    await planReminders(app.ctx);
    expect(await steps(a)).toEqual([1]);
    await age(a, 4); // day 38
    await planReminders(app.ctx);
    expect(await steps(a)).toEqual([1, 2]);
    await age(a, 14); // day 52
    await planReminders(app.ctx);
    await age(a, 40); // day 92: no more
    await age(late, 40);
    await planReminders(app.ctx);
    expect(await steps(a)).toEqual([1, 2, 3]);
    expect(await steps(late)).toEqual([3]);
    expect((await account(a)).next_reminder_at).toBeNull();

    // Nothing waited at day 30; a message arrives at day 33: reminded at day 37, not before.
    await age(quiet, 3);
    const colleague2 = await createUser(app.ctx);
    await clinicalConversation(
      app.ctx,
      colleague2.account.id,
      (await account(quiet)).professional_id,
    );
    await planReminders(app.ctx);
    expect(await steps(quiet)).toEqual([]);
    await age(quiet, 4);
    await planReminders(app.ctx);
    expect(await steps(quiet)).toEqual([2]);
  });

  it('are e-mailed by the daily job without clinical content, with an unsubscribe link that works without sign-in', async () => {
    const id = await userInactiveFor(31);
    const { email } = await account(id);
    const worker: Worker = startInactivityWorker(app.ctx);
    const queue = new Queue('inactivity', {
      connection: bullConnection(app.ctx.config.redisUrl),
      prefix: bullPrefix(app.ctx.config),
    });
    try {
      await queue.add('scan', {});
      const mail = await waitFor(async () => smtp.received.find((m) => m.to.includes(email)));
      expect(mail.subject).toBe('Des messages vous attendent sur Relais');
      expect(mail.decoded).toContain('Bonjour Claire');
      for (const word of CLINICAL_WORDS) expect(mail.decoded).not.toContain(word);
      expect(mail.raw.replace(/\r\n[ \t]+/g, ' ')).toMatch(
        /List-Unsubscribe: <https:\/\/relais\.example\.fr\/unsubscribe\/[0-9a-f]{64}>/,
      );
      const token = /\/unsubscribe\/([0-9a-f]{64})/.exec(mail.decoded)![1]!;
      await waitFor(async () => {
        const r = await app.ctx.db('inactivity_reminders').where({ account_id: id }).first();
        return r.state === 'sent';
      });

      const pageRes = await call(app.server, 'GET', `/unsubscribe/${token}`);
      expect(pageRes.statusCode).toBe(200);
      expect(pageRes.payload).toContain('<form method="post"');
      const done = await call(app.server, 'POST', `/unsubscribe/${token}`);
      expect(done.statusCode).toBe(200);
      expect(done.payload).toContain('vous ne recevrez plus de rappels');
      expect((await account(id)).reminders_unsubscribed_at).not.toBeNull();
      expect((await call(app.server, 'GET', '/unsubscribe/0123')).statusCode).toBe(404);

      // Next step of the cadence: nothing for an unsubscribed account.
      await age(id, 7);
      await planReminders(app.ctx);
      expect(
        await app.ctx.db('inactivity_reminders').where({ account_id: id }).count({ n: '*' }),
      ).toEqual([{ n: 1 }]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('unsubscribe links cannot be guessed in bulk: unknown tokens are throttled per address', async () => {
    const guess = (i: number) =>
      app.server.inject({
        method: i % 2 ? 'POST' : 'GET',
        url: `/unsubscribe/${i.toString(16).padStart(64, '0')}`,
        remoteAddress: '203.0.113.150',
      });
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await guess(i)).statusCode);
    // JOIN_MAX_INVALID_PER_IP (10) unknown tokens get their 404; past it, 429 for any link.
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(codes.slice(10)).toEqual([429, 429]);
    const other = await app.server.inject({
      method: 'GET',
      url: `/unsubscribe/${'f'.repeat(64)}`,
      remoteAddress: '198.51.100.150',
    });
    expect(other.statusCode).toBe(404);
  });

  it('go by SMS too for users who chose it (one short SMS, no content)', async () => {
    const id = await userInactiveFor(31);
    const user = await account(id);
    const { createSession } = await import('../../domain/accounts');
    const { token } = await createSession(app.ctx, id, 'password');
    // createSession is activity: make the account inactive again for the test.
    await app.ctx
      .db('accounts')
      .where({ id })
      .update({ last_active_at: daysAgo(31) });
    const noMobile = await call(app.server, 'PUT', '/api/reminders', {
      token,
      payload: { sms: true },
    });
    expect(noMobile.statusCode).toBe(400);
    await app.ctx.db('accounts').where({ id }).update({ mobile: '+33698765432' });
    const chosen = await call(app.server, 'PUT', '/api/reminders', {
      token,
      payload: { sms: true },
    });
    expect(chosen.body).toEqual({ subscribed: true, sms: true, mobile: '+33698765432' });
    await app.ctx
      .db('accounts')
      .where({ id })
      .update({ last_active_at: daysAgo(31) });

    const worker: Worker = startInactivityWorker(app.ctx);
    const queue = new Queue('inactivity', {
      connection: bullConnection(app.ctx.config.redisUrl),
      prefix: bullPrefix(app.ctx.config),
    });
    try {
      await queue.add('scan', {});
      const sms = await waitFor(async () => twilio.sent.find((m) => m.to === '+33698765432'));
      expect(sms.body.length).toBeLessThanOrEqual(160);
      expect(sms.body).toBe(
        'Relais : des collègues vous ont écrit. Connectez-vous pour lire leurs messages : https://relais.example.fr',
      );
      await waitFor(async () => smtp.received.find((m) => m.to.includes(user.email)));
      await new Promise((r) => setTimeout(r, 300));
      expect(twilio.sent.filter((m) => m.to === '+33698765432')).toHaveLength(1);
      expect(smtp.received.filter((m) => m.to.includes(user.email))).toHaveLength(1);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
