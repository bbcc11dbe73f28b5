import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeUnattached } from '../../domain/attachments';
import { create, type Person, person, pro, realtime, send } from '../conversations/fixtures';
import { call } from '../helpers/server';
import { type AttachmentBed, patch, settled, sha256, startAttachmentBed, uploadFile } from './bed';
import {
  eicar,
  exifHasGps,
  makeHtmlAsJpeg,
  makeJpegWithHtml,
  makePdf,
  makePhotoWithGps,
  POLYGLOT_TAIL,
} from './fixtures';

let bed: AttachmentBed;
let alice: Person;
let bruno: Person;
let carol: Person;
let conversationId: number;
// The server's clock, moved by the tests about expiry (never the wall clock).
let clock = new Date('2026-03-30T10:25:32Z');

beforeAll(async () => {
  bed = await startAttachmentBed({ env: { ATTACHMENT_DAILY_MB: '60' } });
  bed.app.ctx.now = () => clock;
  alice = await person(bed.app.ctx, 'Alice', 'Martin');
  bruno = await person(bed.app.ctx, 'Bruno', 'Petit');
  carol = await person(bed.app.ctx, 'Carol', 'Stranger');
  const created = await create(bed.app.server, alice.token, [pro(bruno.professionalId)]);
  conversationId = created.body.conversation.id;
}, 60_000);
afterAll(() => bed?.stop());

/**
 * GET a signed file URL over real HTTP: as the API gives it (relative to the server), or
 * as the web client library hands it on (made absolute against the server).
 */
const fetchFile = (url: string, headers: Record<string, string> = {}) =>
  fetch(new URL(url, bed.app.url), { headers });

async function view(token: string, id: string) {
  return call(bed.app.server, 'GET', `/api/attachments/${id}`, { token });
}

describe('a camera photo sent in a conversation', () => {
  it('reaches the recipient live: a placeholder, then the re-encoded photo without GPS', async () => {
    const client = realtime(bed.app, bruno);
    // biome-ignore lint/suspicious/noExplicitAny: events as JSON
    const seen: any[] = [];
    client.on('message', ({ message }) => seen.push({ type: 'message', message }));
    client.on('attachment', (event) => seen.push({ type: 'attachment', event }));
    await client.connect();
    try {
      const photo = await makePhotoWithGps(bed.dir);
      const original = await readFile(photo);
      expect(exifHasGps((await sharp(original).metadata()).exif)).toBe(true);
      const upload = await uploadFile(bed.app, alice.token, photo, {
        type: 'image/jpeg',
        conversationId,
        chunkSize: 64 * 1024, // several chunks
      });
      expect(upload.status).toBe('pending');
      const sent = await send(bed.app.server, alice.token, conversationId, '', {
        attachments: [upload.id],
      });
      expect(sent.statusCode).toBe(201);
      expect(sent.body.attachments).toHaveLength(1);

      await until(() => seen.some((e) => e.type === 'attachment'));
      const message = seen.find((e) => e.type === 'message')?.message;
      expect(message.body).toBe('');
      expect(message.attachments[0].name).toBe('photo.jpg');
      const ready = seen.find((e) => e.type === 'attachment').event.attachment;
      expect(ready.status).toBe('ready');
      expect(ready.scanned).toBe(true);
      expect(ready.kind).toBe('image');
      // EXIF orientation 6 applied: stored 640×480, shown 480×640.
      expect([ready.width, ready.height]).toEqual([480, 640]);

      const res = await fetchFile(ready.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('cache-control')).toMatch(/^private/);
      expect(res.headers.get('content-disposition')).toMatch(/^inline/);
      const served = Buffer.from(await res.arrayBuffer());
      const meta = await sharp(served).metadata();
      expect(meta.format).toBe('jpeg');
      expect(exifHasGps(meta.exif)).toBe(false);
      expect(meta.orientation ?? 1).toBe(1);

      const thumb = await fetchFile(ready.thumbnailUrl);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      expect(Math.max(thumbMeta.width ?? 0, thumbMeta.height ?? 0)).toBeLessThanOrEqual(480);

      // The stored upload hash is the file's.
      const row = await bed.app.ctx.db('attachments').where({ id: upload.id }).first();
      expect(row.sha256).toBe(sha256(original));
    } finally {
      await client.disconnect();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function sentFile(path: string, type: string, body = 'Voir pièce jointe') {
  const upload = await uploadFile(bed.app, alice.token, path, { type, conversationId });
  const sent = await send(bed.app.server, alice.token, conversationId, body, {
    attachments: [upload.id],
  });
  expect(sent.statusCode).toBe(201);
  return settled(bed.app, upload.id);
}

describe('a PDF', () => {
  it('is a download, with a first-page thumbnail, and answers Range requests', async () => {
    const path = await makePdf(bed.dir, 'compte-rendu.pdf');
    const bytes = await readFile(path);
    const row = await sentFile(path, 'application/pdf');
    expect(row.status).toBe('ready');
    const { body } = await view(bruno.token, row.id);
    const file = body.attachment;
    expect(file.download).toBe(true);
    expect(file.thumbnailUrl).toBeTruthy();

    const whole = await fetchFile(file.url);
    expect(whole.headers.get('content-disposition')).toMatch(
      /^attachment; filename="compte-rendu.pdf"/,
    );
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const part = await fetchFile(file.url, { range: 'bytes=5-14' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 5-14/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(5, 15))).toBe(true);

    const tail = await fetchFile(file.url, { range: 'bytes=-4' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-4))).toBe(true);

    const outside = await fetchFile(file.url, { range: `bytes=${bytes.length + 10}-` });
    expect(outside.status).toBe(416);
  });
});

describe('bad input', () => {
  it('refuses an empty file, an oversized one, and bytes past the declared size', async () => {
    const empty = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'vide.txt', type: 'text/plain', size: 0 },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body.message).toMatch(/empty/);

    const huge = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'scan.pdf', type: 'application/pdf', size: 26 * 1024 * 1024 },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.body.message).toMatch(/25 MB/);

    const created = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'note.txt', type: 'text/plain', size: 10 },
    });
    const id = created.body.upload.id;
    const res = await patch(bed.app, alice.token, id, 0, Buffer.alloc(5000, 0x61));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/declared size/);
    expect(
      (await call(bed.app.server, 'GET', `/api/uploads/${id}`, { token: alice.token })).statusCode,
    ).toBe(404);
    expect(await readdir(join(bed.filesDir, 'uploads')).catch(() => [])).not.toContain(id);
  });

  it('resumes an upload from the offset the server has, after a wrong offset', async () => {
    const created = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'notes.txt', type: 'text/plain', size: 12 },
    });
    const id = created.body.upload.id;
    expect((await patch(bed.app, alice.token, id, 0, Buffer.from('Bonjour '))).status).toBe(200);
    const wrong = await patch(bed.app, alice.token, id, 3, Buffer.from('jour'));
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { offset: number }).offset).toBe(8);
    const head = await fetch(`${bed.app.url}/api/uploads/${id}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(head.headers.get('upload-offset')).toBe('8');
    const last = await patch(bed.app, alice.token, id, 8, Buffer.from('à t'));
    expect(last.status).toBe(200);
    const { upload } = (await last.json()) as { upload: { status: string; received: number } };
    expect(upload).toMatchObject({ status: 'pending', received: 12 });
  });

  it('records one of two requests racing for the same offset, and the other gets 409', async () => {
    const created = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'race.txt', type: 'text/plain', size: 1024 * 1024 },
    });
    const id = created.body.upload.id;
    const a = Buffer.alloc(1024 * 1024, 0x61);
    const b = Buffer.alloc(1024 * 1024, 0x62);
    const [ra, rb] = await Promise.all([
      patch(bed.app, alice.token, id, 0, a),
      patch(bed.app, alice.token, id, 0, b),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const winner = ra.status === 200 ? a : b;
    const row = await bed.app.ctx.db('attachments').where({ id }).first();
    expect(row.sha256).toBe(sha256(winner));
    const chunks = await bed.app.ctx.db('upload_chunks').where({ attachment_id: id });
    expect(chunks.length).toBeLessThanOrEqual(1);
  });

  it('keeps nothing of a chunk cut by a network drop, and resumes from before it', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 0x62);
    const created = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'long.txt', type: 'text/plain', size: bytes.length },
    });
    const id = created.body.upload.id;
    expect((await patch(bed.app, alice.token, id, 0, bytes.subarray(0, 1024 * 1024))).status).toBe(
      200,
    );
    // A request that dies half-way: the client aborts after sending part of the body.
    const controller = new AbortController();
    const cut = fetch(`${bed.app.url}/api/uploads/${id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${alice.token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(1024 * 1024),
      },
      body: new ReadableStream({
        async start(c) {
          c.enqueue(new Uint8Array(bytes.subarray(1024 * 1024, 1536 * 1024)));
          await new Promise((r) => setTimeout(r, 200));
          controller.abort();
        },
      }),
      // @ts-expect-error Node's fetch needs this for a streamed body
      duplex: 'half',
      signal: controller.signal,
    }).catch(() => null);
    await cut;
    await new Promise((r) => setTimeout(r, 200));
    const state = await call(bed.app.server, 'GET', `/api/uploads/${id}`, { token: alice.token });
    expect(state.body.upload.received).toBe(1024 * 1024);
    expect(
      (await patch(bed.app, alice.token, id, 1024 * 1024, bytes.subarray(1024 * 1024))).status,
    ).toBe(200);
    const row = await bed.app.ctx.db('attachments').where({ id }).first();
    expect(row.status).not.toBe('uploading');
    expect(row.sha256).toBe(sha256(bytes));
  });

  it('tells only the sender that the EICAR file is infected; nobody else ever sees it', async () => {
    const row = await sentFile(await eicar(bed.dir), 'text/plain');
    expect(row).toMatchObject({ status: 'infected', reason: 'malware' });
    const mine = await view(alice.token, row.id);
    expect(mine.body.attachment).toMatchObject({
      status: 'infected',
      reason: 'malware',
      url: null,
    });
    expect((await view(bruno.token, row.id)).statusCode).toBe(404);
    const page = await call(
      bed.app.server,
      'GET',
      `/api/conversations/${conversationId}/messages`,
      {
        token: bruno.token,
      },
    );
    const ids = page.body.messages.flatMap((m: { attachments: Array<{ id: string }> }) =>
      m.attachments.map((a) => a.id),
    );
    expect(ids).not.toContain(row.id);
    expect(await readdir(join(bed.filesDir, 'files')).catch(() => [])).not.toContain(row.id);
  });

  it('refuses a "JPEG" that is HTML, and serves a JPEG with HTML appended only re-encoded', async () => {
    const html = await sentFile(await makeHtmlAsJpeg(bed.dir), 'image/jpeg');
    expect(html).toMatchObject({ status: 'rejected', reason: 'type-not-allowed' });

    const polyglot = await sentFile(await makeJpegWithHtml(bed.dir), 'image/jpeg');
    expect(polyglot.status).toBe('ready');
    const { body } = await view(bruno.token, polyglot.id);
    const served = Buffer.from(await (await fetchFile(body.attachment.url)).arrayBuffer());
    expect(served.includes(Buffer.from(POLYGLOT_TAIL))).toBe(false);
    expect((await sharp(served).metadata()).format).toBe('jpeg');
  });

  it('refuses to attach what is not yours, not finished, refused, or for another conversation', async () => {
    const photo = await makePhotoWithGps(bed.dir, 'b.jpg');
    const brunos = await uploadFile(bed.app, bruno.token, photo, { type: 'image/jpeg' });
    const notMine = await send(bed.app.server, alice.token, conversationId, 'x', {
      attachments: [brunos.id],
    });
    expect(notMine.statusCode).toBe(400);
    expect(notMine.body.field).toBe('attachments');

    const unfinished = await call(bed.app.server, 'POST', '/api/uploads', {
      token: alice.token,
      payload: { name: 'a.txt', type: 'text/plain', size: 100 },
    });
    const res = await send(bed.app.server, alice.token, conversationId, 'x', {
      attachments: [unfinished.body.upload.id],
    });
    expect(res.body.message).toMatch(/not finished uploading/);

    const other = await create(bed.app.server, alice.token, [pro(carol.professionalId)]);
    const elsewhere = await uploadFile(bed.app, alice.token, photo, {
      type: 'image/jpeg',
      conversationId: other.body.conversation.id,
    });
    const wrong = await send(bed.app.server, alice.token, conversationId, 'x', {
      attachments: [elsewhere.id],
    });
    expect(wrong.body.message).toMatch(/another conversation/);

    const eleven = await send(bed.app.server, alice.token, conversationId, 'x', {
      attachments: Array.from({ length: 11 }, () => randomUUID()),
    });
    expect(eleven.statusCode).toBe(400);

    const emptyMessage = await send(bed.app.server, alice.token, conversationId, '   ');
    expect(emptyMessage.statusCode).toBe(400);
  });

  it('stops an account over its daily volume with 429 and Retry-After', async () => {
    const first = await call(bed.app.server, 'POST', '/api/uploads', {
      token: carol.token,
      payload: { name: 'v.mp4', type: 'video/mp4', size: 50 * 1024 * 1024 },
    });
    expect(first.statusCode).toBe(201);
    const second = await call(bed.app.server, 'POST', '/api/uploads', {
      token: carol.token,
      payload: { name: 'w.mp4', type: 'video/mp4', size: 20 * 1024 * 1024 },
    });
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('who may fetch a file', () => {
  let fileUrl: string;
  let fileId: string;

  beforeAll(async () => {
    const row = await sentFile(await makePdf(bed.dir, 'lettre.pdf'), 'application/pdf');
    fileId = row.id;
    fileUrl = (await view(bruno.token, fileId)).body.attachment.url;
  });

  it('not a stranger, nor a forged or expired link', async () => {
    expect((await view(carol.token, fileId)).statusCode).toBe(404);
    const forged = fileUrl.replace(/acc=\d+/, `acc=${carol.account.id}`);
    expect((await fetchFile(forged)).status).toBe(403);
    const badSig = fileUrl.replace(/sig=[\w-]{5}/, 'sig=AAAAA');
    expect((await fetchFile(badSig)).status).toBe(403);
    expect((await fetchFile(fileUrl)).status).toBe(200);
    const saved = clock;
    clock = new Date(clock.getTime() + 3 * 3600 * 1000);
    try {
      const expired = await fetchFile(fileUrl);
      expect(expired.status).toBe(403);
      expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);
    } finally {
      clock = saved;
    }
  });

  it('not a participant who left, even with a link still valid', async () => {
    const dana = await person(bed.app.ctx, 'Dana', 'Leaves');
    const conv = await create(bed.app.server, alice.token, [pro(dana.professionalId)]);
    const id = conv.body.conversation.id;
    const upload = await uploadFile(bed.app, alice.token, await makePdf(bed.dir, 'c.pdf'), {
      type: 'application/pdf',
      conversationId: id,
    });
    await send(bed.app.server, alice.token, id, 'ci-joint', { attachments: [upload.id] });
    await settled(bed.app, upload.id);
    const url = (await view(dana.token, upload.id)).body.attachment.url;
    expect((await fetchFile(url)).status).toBe(200);
    const left = await call(bed.app.server, 'POST', `/api/conversations/${id}/leave`, {
      token: dana.token,
      payload: {},
    });
    expect(left.statusCode).toBeLessThan(300);
    expect((await fetchFile(url)).status).toBe(404);
  });
});

describe('the new-conversation form and housekeeping', () => {
  it('creates a conversation whose first message carries a file uploaded before it existed', async () => {
    const upload = await uploadFile(bed.app, alice.token, await makePdf(bed.dir, 'f.pdf'), {
      type: 'application/pdf',
    });
    const created = await create(bed.app.server, alice.token, [pro(bruno.professionalId)], {
      message: { id: randomUUID(), body: '', attachments: [upload.id] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body.message.attachments.map((a: { id: string }) => a.id)).toEqual([upload.id]);
    await settled(bed.app, upload.id);
    expect((await view(bruno.token, upload.id)).body.attachment.url).toBeTruthy();
  });

  it('cancels an upload, and deletes uploads never sent after a day', async () => {
    const cancelled = await uploadFile(bed.app, alice.token, await makePdf(bed.dir, 'g.pdf'), {
      type: 'application/pdf',
    });
    const res = await call(bed.app.server, 'DELETE', `/api/uploads/${cancelled.id}`, {
      token: alice.token,
    });
    expect(res.statusCode).toBe(204);
    expect((await view(alice.token, cancelled.id)).statusCode).toBe(404);

    const forgotten = await uploadFile(bed.app, alice.token, await makePdf(bed.dir, 'h.pdf'), {
      type: 'application/pdf',
    });
    await settled(bed.app, forgotten.id);
    const saved = clock;
    clock = new Date(clock.getTime() + 25 * 3600 * 1000);
    try {
      expect(await purgeUnattached(bed.app.ctx)).toBeGreaterThanOrEqual(1);
    } finally {
      clock = saved;
    }
    expect((await view(alice.token, forgotten.id)).statusCode).toBe(404);
    expect(await readdir(join(bed.filesDir, 'files')).catch(() => [])).not.toContain(forgotten.id);
  });
});
