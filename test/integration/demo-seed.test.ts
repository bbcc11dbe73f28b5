import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAttachments } from '../../domain/attachments';
import { type RunningClamd, startClamd } from '../../domain/attachments/examine';
import { accessPlanPhoto, agendaPdf } from '../../scripts/demo/files';
import {
  DEMO_MESSAGE_IDS,
  DEMO_PASSWORD,
  DEMO_RCP_SUBJECT,
  DEMO_USERS,
  seedDemo,
} from '../../scripts/demo/seed';
import { startAttachmentWorker } from '../../workers/attachments';
import { call, startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;
let dir: string;
let clamd: RunningClamd;
let summary: string;
// The demo's clock, pinned for the run: the seed stamps its files with it (asserted below).
// An hour before the wall clock, because the seed's relative dates ("inactive for 45
// days") are also read against PostgreSQL's own now() by the inactivity rules.
const clock = new Date(Date.now() - 3_600_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relais-demo-seed-'));
  clamd = await startClamd({ dir: join(dir, 'clamd') });
  app = await startTestApp({
    env: { ATTACHMENTS_DIR: join(dir, 'files'), CLAMAV_URL: clamd.url },
  });
  app.ctx.now = () => clock;
  summary = await seedDemo(app.ctx);
}, 120_000);
afterAll(async () => {
  await closeAttachments(app.ctx);
  await app?.stop();
  await clamd?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function members(name: string): Promise<string[]> {
  const rows = await app.ctx
    .db('structure_members as m')
    .join('structures as s', 's.id', 'm.structure_id')
    .join('accounts as a', 'a.id', 'm.account_id')
    .where('s.name', name)
    .select('a.first_name');
  return rows.map((r) => r.first_name);
}

async function signIn(email: string): Promise<string> {
  const res = await call(app.server, 'POST', '/api/auth/login', {
    payload: { email, password: DEMO_PASSWORD },
  });
  expect(res.statusCode, email).toBe(201);
  return res.body.token;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the demo dataset', () => {
  it("has the seed card's structures: DAC SESAN staffed, testpmsesan empty, MSF with Mathilde", async () => {
    expect((await members('DAC SESAN')).length).toBeGreaterThanOrEqual(2);
    expect(await members('testpmsesan')).toEqual([]);
    expect(await members('MSF')).toContain('Mathilde');
  });

  it('has active and inactive accounts linked to directory professionals', async () => {
    const counts = await app.ctx
      .db('accounts')
      .whereNotNull('professional_id')
      .select(
        app.ctx.db.raw(
          "count(*) FILTER (WHERE last_active_at >= now() - interval '30 days') AS active",
        ),
        app.ctx.db.raw(
          "count(*) FILTER (WHERE last_active_at < now() - interval '30 days') AS inactive",
        ),
      )
      .first();
    expect(Number(counts.active)).toBeGreaterThan(0);
    expect(Number(counts.inactive)).toBeGreaterThan(0);
  });

  it('lets every printed demo user sign in with the printed password', async () => {
    for (const user of DEMO_USERS) await signIn(user.email);
  });

  it('has a conversation with a PDF agenda and a photo, pending until the worker has them', async () => {
    expect(summary).toMatch(/1 conversation\(s\) with 2 attached files$/);
    // Karim reads it through DAC SESAN; the messages carry the files, still pending (no
    // worker has run yet, as in `npm start` where the seed runs before the workers).
    const karim = await signIn('karim.benali@demo.relais.test');
    const list = await call(app.server, 'GET', '/api/conversations', { token: karim });
    const conversation = list.body.conversations.find(
      (c: { subject: string }) => c.subject === DEMO_RCP_SUBJECT,
    );
    expect(conversation).toBeDefined();
    const page = await call(app.server, 'GET', `/api/conversations/${conversation.id}/messages`, {
      token: karim,
    });
    expect(page.statusCode).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: messages as JSON
    const byId = new Map<string, any>(page.body.messages.map((m: any) => [m.id, m]));
    const agenda = byId.get(DEMO_MESSAGE_IDS.agenda);
    expect(agenda.body).toBe('Ordre du jour en pièce jointe.');
    expect(agenda.sender.firstName).toBe('Claire');
    expect(agenda.attachments).toMatchObject([
      { name: 'ordre-du-jour-RCP-jeudi.pdf', status: 'pending', url: null },
    ]);
    const plan = byId.get(DEMO_MESSAGE_IDS.plan);
    expect(plan.sender.firstName).toBe('Karim');
    expect(plan.structure?.name).toBe('DAC SESAN');
    expect(plan.attachments).toMatchObject([{ name: 'plan-acces-salle-B.jpg', status: 'pending' }]);
    expect(byId.get(DEMO_MESSAGE_IDS.thanks).attachments).toEqual([]);

    // The uploads went through the real pipeline's entry: complete, hashed, queued, and
    // stamped with the demo's clock.
    const rows = await app.ctx
      .db('attachments')
      .whereIn('message_id', [DEMO_MESSAGE_IDS.agenda, DEMO_MESSAGE_IDS.plan])
      .orderBy('file_name');
    expect(rows.map((r) => [r.file_name, r.status])).toEqual([
      ['ordre-du-jour-RCP-jeudi.pdf', 'pending'],
      ['plan-acces-salle-B.jpg', 'pending'],
    ]);
    for (const row of rows) expect(new Date(row.created_at).getTime()).toBe(clock.getTime());
    // Deterministic: the same bytes as generating them again.
    expect(rows[0].sha256).toBe(sha256(agendaPdf().bytes));
    expect(rows[1].sha256).toBe(sha256((await accessPlanPhoto()).bytes));
  });

  it('the workers started after the seed make both files ready: a PDF page thumbnail, a clean photo', {
    timeout: 60_000,
  }, async () => {
    let worker: Worker | null = null;
    try {
      worker = startAttachmentWorker(app.ctx, { retryDelayMs: 200 });
      const ids = [DEMO_MESSAGE_IDS.agenda, DEMO_MESSAGE_IDS.plan];
      const deadline = Date.now() + 45_000;
      for (;;) {
        const statuses = await app.ctx.db('attachments').whereIn('message_id', ids).pluck('status');
        if (statuses.every((s) => s !== 'pending')) break;
        if (Date.now() > deadline) throw new Error(`still ${statuses.join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const claire = await signIn('claire.martin@demo.relais.test');
      const row = await app.ctx
        .db('messages')
        .where({ id: DEMO_MESSAGE_IDS.agenda })
        .first('conversation_id');
      const page = await call(
        app.server,
        'GET',
        `/api/conversations/${row.conversation_id}/messages`,
        { token: claire },
      );
      // biome-ignore lint/suspicious/noExplicitAny: messages as JSON
      const files = page.body.messages.flatMap((m: any) => m.attachments);
      expect(files).toMatchObject([
        {
          name: 'ordre-du-jour-RCP-jeudi.pdf',
          status: 'ready',
          kind: 'document',
          mediaType: 'application/pdf',
          scanned: true,
          download: true,
        },
        {
          name: 'plan-acces-salle-B.jpg',
          status: 'ready',
          kind: 'image',
          mediaType: 'image/jpeg',
          scanned: true,
          width: 1280,
          height: 960,
        },
      ]);
      for (const file of files) expect(file.thumbnailUrl).toMatch(/^\/files\//);
      // The PDF is served as it was made, byte for byte.
      const served = await fetch(`${app.url}${files[0].url}`);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(agendaPdf().bytes)).toBe(true);
    } finally {
      await worker?.close();
    }
  });
});

describe('the demo PDF', () => {
  it('has a cross-reference table whose every offset points at its object', () => {
    const text = agendaPdf().bytes.toString('latin1');
    const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(xrefAt, xrefAt + 5)).toBe('xref\n');
    const entries = text
      .slice(xrefAt)
      .split('\n')
      .slice(3)
      .filter((l) => / n $/.test(l));
    expect(entries.length).toBe(7);
    entries.forEach((entry, i) => {
      const offset = Number(entry.slice(0, 10));
      expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
  });
});
