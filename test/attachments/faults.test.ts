import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Nes from '@hapi/nes/lib/client';
import type { Worker } from 'bullmq';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  attachmentsQueue,
  closeAttachments,
  keys,
  processJobId,
  sweepPending,
} from '../../domain/attachments';
import { type RunningClamd, startClamd } from '../../domain/attachments/examine';
import { publishEvent } from '../../domain/realtime';
import { startAttachmentWorker } from '../../workers/attachments';
import { create, type Person, person, pro } from '../conversations/fixtures';
import { freePort } from '../helpers/ports';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { type LocalS3, startS3 } from '../helpers/s3';
import { call, startTestApp, type TestApp } from '../helpers/server';
import {
  killServerProcesses,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process';
import { patch } from './bed';
import { exifHasGps, makePdf, makePhotoWithGps } from './fixtures';

/**
 * Issue 11, "Faults": what a user notices when a part of the pipeline fails. Real
 * PostgreSQL, Redis, clamd, sharp, the real server over HTTP, and (for storage) s3rver.
 *
 * - a worker SIGKILLed mid-job: the file ends ready exactly once (one event, one verdict);
 * - clamd stopped: files stay pending (never served), then complete when it returns;
 * - S3 unreachable during an upload: 503 with a clear message, nothing half-recorded;
 * - Redis down when an upload completes: the sweep enqueues it again once Redis is back.
 */

// --- helpers ----------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = '') {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting ${what}`);
    await sleep(50);
  }
}

interface AttachmentEvent {
  type: 'attachment.updated';
  conversationId: number | null;
  messageId: string | null;
  attachment: { id: string; status: string; url: string | null };
}

const sockets: Array<InstanceType<typeof Nes.Client>> = [];
afterAll(() => Promise.all(sockets.map((s) => s.disconnect())));

/** A raw nes subscriber on the user's one subscription: the attachment events it gets. */
async function listen(app: TestApp, user: Person) {
  const socket = new Nes.Client(`ws://${app.url.slice('http://'.length)}`);
  await socket.connect({
    auth: { headers: { authorization: `Bearer ${user.token}` } },
    reconnect: false,
  });
  sockets.push(socket);
  const events: AttachmentEvent[] = [];
  let probes = 0;
  await socket.subscribe(`/users/${user.account.id}`, (event) => {
    const e = event as { type: string };
    if (e.type === 'attachment.updated') events.push(e as AttachmentEvent);
    if (e.type === 'access.changed') probes++;
  });
  return {
    events,
    probes: () => probes,
    readyEventsFor: (id: string) =>
      events.filter((e) => e.attachment.id === id && e.attachment.status === 'ready'),
    close: () => socket.disconnect(),
  };
}

async function startUpload(app: TestApp, token: string, name: string, type: string, size: number) {
  const res = await call(app.server, 'POST', '/api/uploads', {
    token,
    payload: { name, type, size },
  });
  expect(res.statusCode).toBe(201);
  return res.body.upload.id as string;
}

/** Uploads a whole file over HTTP (one chunk); returns its id once complete (pending). */
async function upload(app: TestApp, token: string, bytes: Buffer, name: string, type: string) {
  const id = await startUpload(app, token, name, type, bytes.length);
  const res = await patch(app, token, id, 0, bytes);
  expect(res.status).toBe(200);
  return id;
}

/** A new conversation from `sender` to `recipient` whose first message carries the file. */
async function sendFile(app: TestApp, sender: Person, recipient: Person, id: string) {
  const res = await create(app.server, sender.token, [pro(recipient.professionalId)], {
    message: { id: randomUUID(), body: '', attachments: [id] },
  });
  expect(res.statusCode).toBe(201);
}

/** GET /api/attachments/{id} as this user, and the signed file URL fetched over HTTP. */
async function fetchAsReader(app: TestApp, token: string, id: string) {
  const view = await call(app.server, 'GET', `/api/attachments/${id}`, { token });
  expect(view.statusCode).toBe(200);
  const url: string | null = view.body.attachment.url;
  if (!url) return { attachment: view.body.attachment, file: null };
  const { pathname, search } = new URL(url, app.url);
  const res = await fetch(`${app.url}${pathname}${search}`);
  return {
    attachment: view.body.attachment,
    file: { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) },
  };
}

/** The signed file route for a reader, signed by the server itself (as if it had given it). */
async function fetchSigned(app: TestApp, accountId: number, id: string) {
  const { url } = app.server.app.files.sign(id, 'file', accountId);
  const { pathname, search } = new URL(url, app.url);
  return fetch(`${app.url}${pathname}${search}`);
}

const row = (app: TestApp, id: string) => app.ctx.db('attachments').where({ id }).first();

/** The served photo: re-encoded (not the uploaded bytes), rotated upright, no GPS left. */
async function expectReencodedPhoto(served: Buffer, original: Buffer) {
  expect(served.equals(original)).toBe(false);
  const meta = await sharp(served).metadata();
  expect(meta.format).toBe('jpeg');
  expect([meta.width, meta.height]).toEqual([480, 640]);
  expect(exifHasGps(meta.exif)).toBe(false);
}

let dir: string;
let clamd: RunningClamd;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relais-att-faults-'));
  clamd = await startClamd({ dir: join(dir, 'clamd') });
});
afterAll(async () => {
  await clamd?.stop();
  await rm(dir, { recursive: true, force: true });
});

// --- a worker SIGKILLed mid-job ---------------------------------------------------------

describe('a worker SIGKILLed in the middle of processing', { timeout: 60_000 }, () => {
  let app: TestApp;
  let filesDir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    filesDir = join(dir, 'files-sigkill');
    app = await startTestApp({ env: { ATTACHMENTS_DIR: filesDir, CLAMAV_URL: clamd.url } });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await closeAttachments(app.ctx);
    await app.stop();
  });

  function startChild(killPoint: string): Promise<{ child: ChildProcess; lines: string[] }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/attachments/worker-child.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: app.database.url,
        REDIS_PREFIX: app.ctx.config.redisPrefix,
        ATTACHMENTS_DIR: filesDir,
        CLAMAV_URL: clamd.url,
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

  it('is recovered by another worker: ready exactly once, one event, served re-encoded, quarantine gone', async () => {
    const alice = await person(app.ctx, 'Alice', 'Martin');
    const bob = await person(app.ctx, 'Bruno', 'Petit');
    const bobSocket = await listen(app, bob);
    const aliceSocket = await listen(app, alice);
    const original = await readFile(await makePhotoWithGps(dir, 'sigkill.jpg'));

    const { child, lines } = await startChild('after-examine');
    const id = await upload(app, alice.token, original, 'plaie.jpg', 'image/jpeg');
    await sendFile(app, alice, bob, id);
    // The child examined the file (scanned, re-encoded) and hangs before recording anything.
    await waitFor(() => lines.includes(`EXAMINED ${id}`), 20_000, 'for the child to examine');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

    // Killed mid-job: still pending, nothing served, nobody told.
    expect((await row(app, id)).status).toBe('pending');
    const before = await fetchAsReader(app, bob.token, id);
    expect(before.attachment.status).toBe('pending');
    expect(before.file).toBeNull();
    expect((await fetchSigned(app, bob.account.id, id)).status).toBe(404);
    expect(bobSocket.events.filter((e) => e.attachment.id === id)).toEqual([]);

    // A second, normal worker takes the stalled job once the dead one's lock expires.
    const worker = startAttachmentWorker(app.ctx, { retryDelayMs: 200, stalledInterval: 500 });
    try {
      await waitFor(async () => (await row(app, id)).status !== 'pending', 30_000, 'for ready');
      await waitFor(() => bobSocket.readyEventsFor(id).length > 0, 5000, 'for the event');
      await sleep(1500); // anything doubled would arrive by now
    } finally {
      await worker.close();
    }

    const done = await row(app, id);
    expect(done.status).toBe('ready');
    expect(done.attempts).toBe(1); // one verdict recorded
    expect(bobSocket.readyEventsFor(id)).toHaveLength(1);
    expect(aliceSocket.readyEventsFor(id)).toHaveLength(1);
    const job = await attachmentsQueue(app.ctx).getJob(processJobId(id));
    expect(job?.attemptsStarted ?? 0).toBeGreaterThanOrEqual(2); // it did run twice

    const after = await fetchAsReader(app, bob.token, id);
    expect(after.attachment.status).toBe('ready');
    expect(after.file?.status).toBe(200);
    expect(after.file!.bytes.length).toBe(Number(done.served_size));
    await expectReencodedPhoto(after.file!.bytes, original);

    // The quarantine (the uploaded chunks) is gone, in storage and in the database.
    expect(existsSync(join(filesDir, keys.chunksOf(id)))).toBe(false);
    expect(await app.ctx.db('upload_chunks').where({ attachment_id: id })).toEqual([]);
    await bobSocket.close();
    await aliceSocket.close();
  });
});

// --- clamd stopped ----------------------------------------------------------------------

describe('clamd stopped', { timeout: 60_000 }, () => {
  let app: TestApp;
  let worker: Worker;
  beforeAll(async () => {
    app = await startTestApp({
      env: { ATTACHMENTS_DIR: join(dir, 'files-clamd'), CLAMAV_URL: clamd.url },
    });
    worker = startAttachmentWorker(app.ctx, { retryDelayMs: 200 });
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await worker.close();
    await closeAttachments(app.ctx);
    await app.stop();
  });
  afterEach(() => clamd.start()); // whatever happened, the next tests have their clamd

  it('files stay pending and are served to nobody, then complete when it returns', async () => {
    const alice = await person(app.ctx, 'Alice', 'Martin');
    const bob = await person(app.ctx, 'Bruno', 'Petit');
    const bobSocket = await listen(app, bob);
    await clamd.stop();

    const pdf = await readFile(await makePdf(dir, 'clamd.pdf', 'Ordonnance'));
    const id = await upload(app, alice.token, pdf, 'ordonnance.pdf', 'application/pdf');
    await sendFile(app, alice, bob, id);

    // A few seconds with clamd down: retried again and again, still pending, never served.
    await sleep(4000);
    expect((await row(app, id)).status).toBe('pending');
    const job = await attachmentsQueue(app.ctx).getJob(processJobId(id));
    expect(job?.attemptsMade ?? 0).toBeGreaterThanOrEqual(3);
    expect(await job?.isFailed()).toBe(false); // waiting for its next try, not given up
    for (const reader of [bob, alice]) {
      const seen = await fetchAsReader(app, reader.token, id);
      expect(seen.attachment).toMatchObject({ status: 'pending', url: null, thumbnailUrl: null });
      expect(seen.file).toBeNull();
      expect((await fetchSigned(app, reader.account.id, id)).status).toBe(404);
    }
    expect(bobSocket.events.filter((e) => e.attachment.id === id)).toEqual([]);

    // clamd returns: the next try scans it, and the recipient is told.
    await clamd.start();
    await waitFor(() => bobSocket.readyEventsFor(id).length > 0, 30_000, 'for the ready event');
    const ready = await row(app, id);
    expect(ready).toMatchObject({ status: 'ready', scanned: true });
    const seen = await fetchAsReader(app, bob.token, id);
    expect(seen.file?.status).toBe(200);
    expect(seen.file!.bytes.equals(pdf)).toBe(true); // documents are served as uploaded
    await sleep(500);
    expect(bobSocket.readyEventsFor(id)).toHaveLength(1);
    await bobSocket.close();
  });
});

// --- S3 unreachable during an upload ----------------------------------------------------

describe('S3 storage unreachable during an upload', { timeout: 60_000 }, () => {
  let app: TestApp;
  let worker: Worker;
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3();
    const { settings } = s3;
    app = await startTestApp({
      env: {
        CLAMAV_URL: clamd.url,
        ATTACHMENTS_STORAGE: 's3',
        S3_ENDPOINT: settings.endpoint!,
        S3_REGION: settings.region,
        S3_BUCKET: settings.bucket,
        S3_ACCESS_KEY_ID: settings.accessKeyId,
        S3_SECRET_ACCESS_KEY: settings.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
      },
    });
    worker = startAttachmentWorker(app.ctx, { retryDelayMs: 200 });
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await worker.close();
    await closeAttachments(app.ctx);
    await app.stop();
    await s3.dispose();
  });

  it('a chunk sent while it is down: 503 with a clear message, nothing recorded, the same chunk works after', async () => {
    const alice = await person(app.ctx, 'Alice', 'Martin');
    const bob = await person(app.ctx, 'Bruno', 'Petit');
    const bobSocket = await listen(app, bob);
    const photo = await readFile(await makePhotoWithGps(dir, 's3.jpg'));
    const { settings } = s3;
    const client = new S3Client({
      endpoint: settings.endpoint!,
      region: settings.region,
      forcePathStyle: true,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    });
    const listed = async (prefix: string) =>
      (
        (await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: prefix })))
          .Contents ?? []
      ).map((o) => o.Key);
    const half = photo.length >> 1;
    const id = await startUpload(app, alice.token, 'plaie.jpg', 'image/jpeg', photo.length);
    expect((await patch(app, alice.token, id, 0, photo.subarray(0, half))).status).toBe(200);

    await s3.stop();
    const started = Date.now();
    const refused = await patch(app, alice.token, id, half, photo.subarray(half));
    expect(Date.now() - started).toBeLessThan(8000);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /storage is unavailable.*nothing of this part was kept.*Try again/i,
    );

    // Nothing half-recorded: same offset, one chunk row (the first), still uploading.
    const state = await call(app.server, 'GET', `/api/uploads/${id}`, { token: alice.token });
    expect(state.headers['upload-offset']).toBe(String(half));
    expect(state.body.upload).toMatchObject({ status: 'uploading', received: half });
    const chunks = await app.ctx.db('upload_chunks').where({ attachment_id: id });
    expect(chunks.map((c) => [Number(c.start), Number(c.size)])).toEqual([[0, half]]);

    // Starting an upload does not touch storage: it works with S3 down (the bytes would not).
    const other = await startUpload(app, alice.token, 'autre.jpg', 'image/jpeg', 1000);
    await call(app.server, 'DELETE', `/api/uploads/${other}`, { token: alice.token });

    // S3 is back: the same chunk again completes the upload, processed and served.
    await s3.restart();
    expect(await listed(keys.chunksOf(id))).toEqual([chunks[0].key]); // nothing of the second
    const again = await patch(app, alice.token, id, half, photo.subarray(half));
    expect(again.status).toBe(200);
    expect(again.headers.get('upload-offset')).toBe(String(photo.length));
    expect(((await again.json()) as { upload: { status: string } }).upload.status).toMatch(
      /^(pending|ready)$/,
    );
    await sendFile(app, alice, bob, id);
    await waitFor(async () => (await row(app, id)).status !== 'pending', 30_000, 'for ready');
    expect((await row(app, id)).status).toBe('ready');
    const seen = await fetchAsReader(app, bob.token, id);
    expect(seen.file?.status).toBe(200);
    await expectReencodedPhoto(seen.file!.bytes, photo);
    // The verdict is recorded before the quarantine is removed: wait for the removal.
    await waitFor(
      async () => (await app.ctx.db('upload_chunks').where({ attachment_id: id })).length === 0,
      5000,
      'for the quarantine to go',
    );
    // The quarantine is gone from the bucket; the served file and its thumbnail stay.
    expect(await listed(keys.chunksOf(id))).toEqual([]);
    expect((await listed(keys.filesOf(id))).sort()).toEqual([keys.file(id), keys.thumbnail(id)]);
    client.destroy();
    await bobSocket.close();
  });
});

// --- Redis down when an upload completes ------------------------------------------------

describe('Redis down when an upload completes', { timeout: 90_000 }, () => {
  let redis: TestRedis;
  let app: TestApp;
  let worker: Worker;
  let node: ServerProcess;
  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      ATTACHMENTS_DIR: join(dir, 'files-redis'),
      CLAMAV_URL: clamd.url,
    };
    app = await startTestApp({ env });
    // The node the upload goes to: a server process of its own, that can die.
    node = await startServerProcess(await freePort(), {
      ...env,
      DATABASE_URL: app.database.url,
      REDIS_PREFIX: app.ctx.config.redisPrefix,
    });
    worker = startAttachmentWorker(app.ctx, { retryDelayMs: 200 });
    // Redis will be killed: its connection errors are expected (BullMQ would print each).
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await killServerProcesses();
    await Promise.race([worker.close(true), sleep(2000)]);
    await Promise.race([closeAttachments(app.ctx), sleep(2000)]);
    app.ctx.redis.disconnect();
    await app.server.stop({ timeout: 1000 });
    await app.database.drop();
    await redis.stop();
  });

  it('the upload is kept pending, and the sweep has it processed once Redis is back', async () => {
    const alice = await person(app.ctx, 'Alice', 'Martin');
    const bob = await person(app.ctx, 'Bruno', 'Petit');
    const pdf = await readFile(await makePdf(dir, 'redis.pdf', 'Courrier'));
    const id = await startUpload(app, alice.token, 'courrier.pdf', 'application/pdf', pdf.length);

    await redis.kill();
    const started = Date.now();
    const last = await fetch(`${node.url}/api/uploads/${id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${alice.token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
      },
      body: new Uint8Array(pdf),
    });
    // The bytes and the status are committed; the enqueue gave up after its 3 s.
    expect(last.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(((await last.json()) as { upload: { status: string } }).upload.status).toBe('pending');
    const own = await call(app.server, 'GET', `/api/uploads/${id}`, { token: alice.token });
    expect(own.body.upload).toMatchObject({ status: 'pending', url: null });

    // The job that could not be added waits in that node's Redis client (a node that lives
    // on adds it when Redis returns). This one dies first (a crash, a deploy): it is lost.
    await node.kill();

    // Redis is back, empty: no job for the file, which would stay pending for good but for
    // the sweep.
    await redis.start();
    await waitFor(async () => (await app.ctx.redis.ping().catch(() => '')) === 'PONG', 15_000);
    expect(await attachmentsQueue(app.ctx).getJob(processJobId(id))).toBeUndefined();
    // Sent now that Redis is back (sending during the outage is covered by
    // test/server/redis-outage.test.ts).
    await sendFile(app, alice, bob, id);
    const bobSocket = await listen(app, bob);
    // The node's Redis subscription comes back on its own schedule after the restart (slow
    // on a loaded machine): a probe event shows it is back, so that the event under test
    // is not lost in that gap (a real client catches up on sync.required; this raw socket
    // does not).
    await waitFor(
      async () => {
        await publishEvent(app.ctx, [bob.account.id], { type: 'access.changed' });
        await sleep(200);
        return bobSocket.probes() > 0;
      },
      30_000,
      'for the realtime channel',
    );
    expect((await row(app, id)).status).toBe('pending');
    const meanwhile = await fetchAsReader(app, bob.token, id);
    expect(meanwhile.attachment).toMatchObject({ status: 'pending', url: null });

    // The sweep's next run, its clock pinned 5 minutes after the upload completed.
    const realNow = app.ctx.now;
    const completed = new Date((await row(app, id)).uploaded_at).getTime();
    app.ctx.now = () => new Date(completed + 5 * 60_000);
    let requeued: number;
    try {
      requeued = await sweepPending(app.ctx);
    } finally {
      app.ctx.now = realNow;
    }
    expect(requeued).toBe(1);
    await waitFor(async () => (await row(app, id)).status !== 'pending', 30_000, 'for ready');
    expect((await row(app, id)).status).toBe('ready');
    await waitFor(() => bobSocket.readyEventsFor(id).length > 0, 5000, 'for the event');
    const seen = await fetchAsReader(app, bob.token, id);
    expect(seen.file?.status).toBe(200);
    expect(seen.file!.bytes.equals(pdf)).toBe(true);
    await sleep(500);
    expect(bobSocket.readyEventsFor(id)).toHaveLength(1);
    await bobSocket.close();
  });
});
