import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInvitationQueues } from '../../domain/invitations';
import { startInvitationWorkers } from '../../workers/invitations';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';
import { directoryProfessional, waitFor } from './fixtures';

/** The demo: no SMTP, no Twilio: deliveries land in the outbox, listed for a newcomer to click. */
let app: TestApp;
let workers: Worker[];
let outbox: string;

beforeAll(async () => {
  outbox = mkdtempSync(join(tmpdir(), 'relais-outbox-'));
  app = await startTestApp({ env: { OUTBOX_DIR: outbox, SMS_QUIET_HOURS: '0-0' } });
  workers = startInvitationWorkers(app.ctx);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await closeInvitationQueues(app.ctx);
  await app.stop();
  rmSync(outbox, { recursive: true, force: true });
});

describe('the demo outbox', () => {
  it('keeps e-mails and SMS, lists them with clickable invitation links', async () => {
    const { professional } = await directoryProfessional(app.ctx, {
      firstName: 'Romain',
      lastName: 'Leger',
    });
    const other = await directoryProfessional(app.ctx);
    const me = await createUser(app.ctx, { first_name: 'Mathilde', last_name: 'Durand' });
    const email = await call(app.server, 'POST', '/api/invitations', {
      token: me.token,
      payload: { professionalId: professional.id, channel: 'email' },
    });
    const sms = await call(app.server, 'POST', '/api/invitations', {
      token: me.token,
      payload: { professionalId: other.professional.id, channel: 'sms', address: '0612345678' },
    });
    await waitFor(async () => {
      const rows = await app.ctx.db('invitations').whereIn('id', [email.body.id, sms.body.id]);
      return rows.every((r) => r.status === 'sent');
    });

    const list = await call(app.server, 'GET', '/admin/outbox');
    expect(list.statusCode).toBe(200);
    expect(list.payload).toContain('Mathilde Durand vous invite sur Relais');
    expect(list.payload).toContain('+33612345678');
    const smsLink = /<a href="(http:\/\/localhost:\d+\/join\/[A-Za-z0-9_-]{32})">/.exec(
      list.payload,
    );
    expect(smsLink).not.toBeNull();

    const entry = /href="\/admin\/outbox\/([A-Za-z0-9-]+)"/.exec(list.payload)![1]!;
    const mail = await call(app.server, 'GET', `/admin/outbox/${entry}`);
    expect(mail.statusCode).toBe(200);
    const link = /<a href="http:\/\/localhost:\d+(\/join\/[A-Za-z0-9_-]{32})">/.exec(
      mail.payload,
    )![1]!;
    const join = await call(app.server, 'GET', link);
    expect(join.statusCode).toBe(200);
    expect(join.payload).toContain('value="Romain"');
  });
});

describe('the outbox in production', () => {
  it('needs an administrator', async () => {
    const prod = await startTestApp({
      env: {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://relais.example.fr',
        CLAMAV_URL: 'tcp://127.0.0.1:3310',
        FILES_URL_SECRET: 'f'.repeat(40),
        EMBED_INTEGRATIONS: `intranet:${'s'.repeat(40)}`,
        OUTBOX_DIR: outbox,
      },
    });
    try {
      expect((await call(prod.server, 'GET', '/admin/outbox')).statusCode).toBe(401);
      const user = await createUser(prod.ctx);
      expect(
        (await call(prod.server, 'GET', '/admin/outbox', { token: user.token })).statusCode,
      ).toBe(403);
      const admin = await createUser(prod.ctx, { is_admin: true });
      expect(
        (await call(prod.server, 'GET', '/admin/outbox', { token: admin.token })).statusCode,
      ).toBe(200);
    } finally {
      await prod.stop();
    }
  });
});
