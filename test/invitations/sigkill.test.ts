import { type ChildProcess, spawn } from 'node:child_process';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInvitationQueues, inviteProfessional } from '../../domain/invitations';
import { startInvitationWorkers } from '../../workers/invitations';
import { createUser, startTestApp, type TestApp } from '../helpers/server';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { directoryProfessional, waitFor } from './fixtures';

/**
 * A worker process SIGKILLed in the middle of a delivery: the job is recovered by another
 * worker (BullMQ's stalled-job check) and the recipient gets exactly one e-mail.
 */
let app: TestApp;
let smtp: TestSmtp;
const children: ChildProcess[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
  app = await startTestApp({
    env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://relais.example.fr' },
  });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await closeInvitationQueues(app.ctx);
  await app.stop();
  await smtp.close();
});

function startChild(killPoint: string): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/invitations/worker-child.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: app.database.url,
      REDIS_PREFIX: app.ctx.config.redisPrefix,
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://relais.example.fr',
      KILL_POINT: killPoint,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString().trim().split('\n'));
      if (lines.includes('READY')) resolve({ child, lines });
    });
    child.on('exit', (code) => reject(new Error(`worker child exited (${code})`)));
  });
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

async function newInvitation(address: string) {
  const { professional } = await directoryProfessional(app.ctx);
  const me = await createUser(app.ctx);
  const { invitation } = await inviteProfessional(
    app.ctx,
    { accountId: me.account.id },
    { professionalId: professional.id, channel: 'email', address },
  );
  return invitation.id;
}

async function recover(id: number, address: string, expected: string) {
  // Another worker (this process) takes over the stalled job once the dead one's lock expires.
  const workers: Worker[] = startInvitationWorkers(app.ctx, { stalledInterval: 500 });
  try {
    const result = await new Promise<{ outcome: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stalled job not recovered')), 30_000);
      workers[0]!.on('completed', (job, value) => {
        if (job.data.invitationId !== id) return;
        clearTimeout(timer);
        resolve(value as { outcome: string });
      });
    });
    expect(result.outcome).toBe(expected);
    await new Promise((r) => setTimeout(r, 300));
    return { mails: smtp.received.filter((m) => m.to.includes(address)) };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

describe('a worker killed mid-job', { timeout: 60_000 }, () => {
  it('killed during the SMTP transaction (before the server accepted): sent once by the next worker', async () => {
    const address = 'kill-during@example.test';
    let holding!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    let release!: (err: Error) => void;
    smtp.behaviour = {
      beforeAccept: (mail) =>
        mail.to.includes(address) && !smtp.received.some((m) => m.to.includes(address))
          ? new Promise((_, reject) => {
              release = reject;
              holding();
            })
          : Promise.resolve(),
    };
    const { child } = await startChild('none');
    const id = await newInvitation(address);
    await held; // the child is inside the DATA phase, waiting for "250 OK"
    await killed(child);
    release(new Error('client went away'));
    smtp.behaviour = {};

    const { mails } = await recover(id, address, 'sent');
    expect(mails).toHaveLength(1);
    const attempt = await app.ctx.db('invitation_attempts').where({ invitation_id: id }).first();
    expect(attempt).toMatchObject({ state: 'sent', tries: 2 });
    expect(mails[0]!.messageId).toBe(`<invitation-${id}-1@relais.example.fr>`);
  });

  it('killed after the send was recorded, before BullMQ heard of it: not sent again', async () => {
    const address = 'kill-after@example.test';
    const { child, lines } = await startChild('after-sent');
    const id = await newInvitation(address);
    await waitFor(async () => lines.includes('SENT'));
    await killed(child);
    // Still queued for BullMQ: only the database knows it was sent.
    const before = await app.ctx.db('invitations').where({ id }).first();
    expect(before.status).toBe('sent');

    const outcome = await recover(id, address, 'already-sent');
    expect(outcome.mails).toHaveLength(1);
    const attempt = await app.ctx.db('invitation_attempts').where({ invitation_id: id }).first();
    expect(attempt).toMatchObject({ state: 'sent', tries: 1 });
  });
});
