import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInvitationQueues, inviteProfessional } from '../../domain/invitations';
import { startInvitationWorkers } from '../../workers/invitations';
import { type FakeTwilio, startFakeTwilio } from '../helpers/fake-twilio';
import { createUser, startTestApp, type TestApp } from '../helpers/server';
import { directoryProfessional, waitFor } from './fixtures';

let app: TestApp;
let twilio: FakeTwilio;
let workers: Worker[];

beforeAll(async () => {
  twilio = await startFakeTwilio();
  app = await startTestApp({
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: 'MG0123456789abcdef0123456789abcdef',
      TWILIO_API_URL: twilio.url,
      SMS_RATE_PER_SECOND: '2',
      SMS_QUIET_HOURS: '0-0',
      INVITATION_MAX_PER_INVITER_PER_DAY: '100',
    },
  });
  // Two worker sets: the limit is global to the queue, not per worker.
  workers = [...startInvitationWorkers(app.ctx), ...startInvitationWorkers(app.ctx)];
  await Promise.all(workers.map((w) => w.waitUntilReady()));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await closeInvitationQueues(app.ctx);
  await app.stop();
  await twilio.close();
});

describe('global SMS rate', () => {
  it('holds SMS to SMS_RATE_PER_SECOND across workers, and sends them all', async () => {
    const me = await createUser(app.ctx);
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      const { professional } = await directoryProfessional(app.ctx);
      await inviteProfessional(
        app.ctx,
        { accountId: me.account.id },
        { professionalId: professional.id, channel: 'sms', address: `06 55 00 00 0${i}` },
      );
    }
    await waitFor(async () => twilio.sent.length === 6, { timeout: 15_000 });
    // 6 SMS at 2 per second: at least two full windows after the first two.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const times = twilio.sent.map((m) => m.dateCreated.getTime()).sort((a, b) => a - b);
    // The first SMS may leave late in its window; the last cannot leave before the third.
    expect(times[5]! - times[0]!).toBeGreaterThanOrEqual(1000);
    expect(
      twilio.sent.every((m) => m.messagingServiceSid === 'MG0123456789abcdef0123456789abcdef'),
    ).toBe(true);
  });
});
