import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttachmentView } from '../../web/src/client/types';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

/**
 * The attachment elements alone in real Chromium (issue 11): the picker and its chips, the
 * composer of <relais-conversation>, and a message's files, against a stub of the API of
 * docs/attachments.md served by a small HTTP server in this file (same origin as the page,
 * with relais.js from web/dist). The whole flow through the real server and worker is the
 * lead's end-to-end test.
 */

const dist = fileURLToPath(new URL('../../web/dist/relais.js', import.meta.url));
// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
const CHUNK = 64 * 1024;

interface StubUpload {
  view: AttachmentView;
  offset: number;
  /** Drop the connection once, after storing the chunk that passes this offset. */
  dropAt?: number;
  dropped?: boolean;
  retryDropped?: boolean;
}

let server: Server;
let origin: string;
let browser: Browser;
const uploads = new Map<string, StubUpload>();
let log: string[] = [];
let sentMessages: Array<Record<string, unknown>> = [];
let patchDelayMs = 40;
let nextId = 1;

function view(patch: Partial<AttachmentView>): AttachmentView {
  return {
    id: 'x',
    name: 'x',
    size: 0,
    mediaType: 'application/octet-stream',
    kind: null,
    status: 'uploading',
    reason: null,
    scanned: true,
    received: 0,
    width: null,
    height: null,
    durationSeconds: null,
    url: null,
    thumbnailUrl: null,
    download: false,
    urlExpiresAt: null,
    ...patch,
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const account = { id: 1, firstName: 'Alice', lastName: 'Martin', timeZone: 'Europe/Paris' };
const conversation = {
  id: 5,
  subject: 'Plaie du pied',
  patient: null,
  createdAt: '2026-12-01T10:00:00Z',
  lastActivityAt: '2026-12-01T10:00:00Z',
  lastSeq: 0,
  participants: [],
  lastMessage: null,
  lastReadSeq: 0,
  unreadCount: 0,
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  const path = url.pathname;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><meta charset="utf-8"><title>t</title><script src="/relais.js"></script><body></body>',
    );
    return;
  }
  if (path === '/relais.js' || path === '/relais-extra.js') {
    // relais-extra.js: what relais.js loads when needed (English, among others).
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(new URL(path.slice(1), `file://${dist}`)));
    return;
  }
  if (path.startsWith('/files/')) {
    log.push(`FILE ${path}`);
    if (path.includes('expired')) {
      res.writeHead(403);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(PNG);
    return;
  }
  if (path === '/api/me') return json(res, 200, { ...account, structures: [] });
  if (path === '/api/conversations/5') return json(res, 200, conversation);
  if (path === '/api/conversations' && req.method === 'GET') {
    // The list: its last message is a photo alone (S3).
    const photo = view({ id: 'p1', name: 'pansement.jpg', status: 'ready', kind: 'image' });
    const lastMessage = {
      id: 'm1',
      conversationId: 5,
      seq: 1,
      body: '',
      createdAt: '2026-12-01T10:00:00Z',
      sender: { accountId: 2, firstName: 'Bruno', lastName: 'Petit', identityVerified: true },
      structure: null,
      attachments: [photo],
    };
    return json(res, 200, {
      conversations: [{ ...conversation, lastSeq: 1, lastMessage, unreadCount: 1 }],
      nextCursor: null,
      serverTime: '2026-12-01T10:00:01Z',
    });
  }
  if (path === '/api/conversations/5/reads') return json(res, 200, { readers: [] });
  if (path === '/api/conversations/5/read')
    return json(res, 200, { lastReadSeq: 0, unreadCount: 0 });
  if (path === '/api/conversations/5/messages' && req.method === 'GET') {
    return json(res, 200, {
      messages: [],
      hasMoreBefore: false,
      hasMoreAfter: false,
      lastSeq: 0,
      lastReadSeq: 0,
    });
  }
  if (path === '/api/conversations/5/messages' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)).toString()) as Record<string, unknown>;
    sentMessages.push(body);
    const ids = (body.attachments as string[] | undefined) ?? [];
    return json(res, 201, {
      id: body.id,
      conversationId: 5,
      seq: sentMessages.length,
      body: body.body,
      createdAt: new Date().toISOString(),
      sender: { accountId: 1, firstName: 'Alice', lastName: 'Martin', identityVerified: true },
      structure: null,
      mine: true,
      sentAt: { date: '', time: '', timeZone: 'Europe/Paris' },
      signature: '',
      attachments: ids.map((id) => uploads.get(id)?.view ?? view({ id })),
    });
  }
  const fresh = /^\/api\/attachments\/([^/]+)$/.exec(path);
  if (fresh) {
    log.push(`FRESH ${fresh[1]}`);
    const video = fresh[1]!.startsWith('v');
    return json(res, 200, {
      attachment: view({
        id: fresh[1]!,
        name: video ? 'geste.mp4' : 'plaie.png',
        status: 'ready',
        kind: video ? 'video' : 'image',
        mediaType: video ? 'video/mp4' : 'image/png',
        url: '/files/ok/file',
        thumbnailUrl: `${origin}/files/ok/thumbnail`,
        urlExpiresAt: new Date(Date.now() + 900_000).toISOString(),
      }),
    });
  }
  if (path === '/api/uploads' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)).toString()) as {
      name: string;
      type: string;
      size: number;
      conversationId?: number;
    };
    log.push(`POST ${body.name}${body.conversationId ? ` c${body.conversationId}` : ''}`);
    if (body.name.startsWith('huge')) {
      return json(res, 413, { message: 'File over the 25 MB limit' });
    }
    const id = `up${nextId++}`;
    const upload: StubUpload = {
      view: view({ id, name: body.name, size: body.size, mediaType: body.type }),
      offset: 0,
      dropAt: body.name.startsWith('flaky') ? CHUNK * 2 : undefined,
    };
    uploads.set(id, upload);
    return json(
      res,
      201,
      { upload: upload.view, chunkSize: CHUNK },
      { location: `/api/uploads/${id}` },
    );
  }
  const one = /^\/api\/uploads\/([^/]+)$/.exec(path);
  const upload = one ? uploads.get(one[1]!) : undefined;
  if (one && !upload) return json(res, 404, { message: 'Not found' });
  if (upload) {
    switch (req.method) {
      case 'HEAD':
        log.push(`HEAD ${upload.offset}`);
        res.writeHead(200, {
          'upload-offset': String(upload.offset),
          'upload-length': String(upload.view.size),
        });
        res.end();
        return;
      case 'GET':
        log.push(`GET ${upload.offset}`);
        return json(res, 200, { upload: upload.view }, { 'upload-offset': String(upload.offset) });
      case 'DELETE':
        log.push(`DELETE ${upload.view.name}`);
        uploads.delete(upload.view.id);
        res.writeHead(204);
        res.end();
        return;
      case 'PATCH': {
        const at = Number(req.headers['upload-offset']);
        const body = await readBody(req);
        log.push(`PATCH ${upload.view.name} ${at}`);
        if (upload.dropped && at < upload.offset && !upload.retryDropped) {
          // Chromium may send a request cut on a reused connection once more by itself:
          // cut that one too, so that the page sees the failure.
          upload.retryDropped = true;
          req.socket.destroy();
          return;
        }
        if (at !== upload.offset) return json(res, 409, { offset: upload.offset });
        await new Promise((r) => setTimeout(r, patchDelayMs));
        upload.offset += body.length;
        const complete = upload.offset >= upload.view.size;
        upload.view = {
          ...upload.view,
          received: upload.offset,
          status: complete ? 'pending' : 'uploading',
        };
        if (upload.dropAt !== undefined && !upload.dropped && upload.offset >= upload.dropAt) {
          upload.dropped = true;
          req.socket.destroy(); // Stored, but the answer never arrives.
          return;
        }
        return json(res, 200, { upload: upload.view }, { 'upload-offset': String(upload.offset) });
      }
    }
  }
  json(res, 404, { message: `no stub for ${req.method} ${path}` });
}

beforeAll(async () => {
  await ensureWebBuilt();
  server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  log = [];
  sentMessages = [];
  patchDelayMs = 40;
});

async function openPage(
  locale = 'fr-FR',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await newContext(browser, { locale });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(origin);
  await page.waitForFunction(() => 'Relais' in window);
  return { context, page, errors };
}

/** Mounts an element with a session on the stub server. */
async function mount(page: Page, tag: string, props: Record<string, unknown> = {}) {
  await page.evaluate(
    ({ tag, props, origin, account }) => {
      const R = (
        window as unknown as { Relais: { RelaisSession: new (...a: unknown[]) => unknown } }
      ).Relais;
      const w = window as unknown as { session: unknown };
      w.session ??= new R.RelaisSession(origin, 'tok', account);
      const el = document.createElement(tag) as HTMLElement & Record<string, unknown>;
      el.session = w.session;
      Object.assign(el, props);
      document.body.append(el);
    },
    { tag, props, origin, account },
  );
}

function bytes(n: number): Buffer {
  return Buffer.alloc(n, 7);
}

describe('attachment picker', () => {
  it('uploads with a moving progress bar, shows the check, then ready from attachment.updated', async () => {
    const { context, page, errors } = await openPage();
    await mount(page, 'relais-attachment-picker', { conversationId: 5 });
    await expect
      .poll(() => page.getByRole('button', { name: 'Prendre une photo' }).count())
      .toBe(1);
    await page.getByRole('button', { name: 'Image' }).waitFor();
    await page.getByRole('button', { name: 'Document' }).waitFor();
    expect(
      await page.locator('relais-attachment-picker input#camera').getAttribute('capture'),
    ).toBe('environment');
    await page
      .locator('relais-attachment-picker input#image')
      .setInputFiles({ name: 'plaie.jpg', mimeType: 'image/jpeg', buffer: bytes(CHUNK * 12) });
    const bar = page.getByRole('progressbar', { name: 'Téléversement de plaie.jpg' });
    await expect
      .poll(async () => {
        const value = await bar
          .evaluate((p: HTMLProgressElement) => p.value / p.max)
          .catch(() => -1);
        return value > 0 && value < 1;
      })
      .toBe(true);
    await page.getByText('analyse en cours…').waitFor();
    expect(log[0]).toBe('POST plaie.jpg c5');
    const patches = log.filter((l) => l.startsWith('PATCH'));
    expect(patches).toHaveLength(12);
    expect(patches.at(-1)).toBe(`PATCH plaie.jpg ${CHUNK * 11}`);
    const id = [...uploads.values()].find((u) => u.view.name === 'plaie.jpg')!.view.id;
    await page.evaluate(
      ({ id }) => {
        const s = (window as unknown as { session: { emitRealtime(e: unknown): void } }).session;
        s.emitRealtime({
          type: 'attachment',
          conversationId: null,
          messageId: null,
          attachment: {
            id,
            name: 'plaie.jpg',
            size: 1,
            mediaType: 'image/jpeg',
            kind: 'image',
            status: 'ready',
            reason: null,
            scanned: false,
            received: 1,
            width: 2,
            height: 2,
            durationSeconds: null,
            url: '/files/a/file',
            thumbnailUrl: '/files/a/thumbnail',
            download: false,
            urlExpiresAt: null,
          },
        });
      },
      { id },
    );
    await page.getByText('prêt').waitFor();
    await page.getByText('non analysé').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cancel aborts the upload and deletes it on the server', async () => {
    patchDelayMs = 300;
    const { context, page } = await openPage();
    await mount(page, 'relais-attachment-picker');
    await page.locator('relais-attachment-picker input#document').setInputFiles({
      name: 'lettre.pdf',
      mimeType: 'application/pdf',
      buffer: bytes(CHUNK * 10),
    });
    await page.getByRole('progressbar', { name: 'Téléversement de lettre.pdf' }).waitFor();
    await page.getByRole('button', { name: 'Annuler le téléversement de lettre.pdf' }).click();
    await expect.poll(() => log.includes('DELETE lettre.pdf')).toBe(true);
    await expect.poll(() => page.getByText('lettre.pdf').count()).toBe(0);
    expect(log[0]).toBe('POST lettre.pdf'); // No conversation id from the new-conversation form.
    await context.close();
  });

  it('a dropped connection resumes from the offset the server gives', async () => {
    const { context, page, errors } = await openPage();
    await mount(page, 'relais-attachment-picker', { conversationId: 5 });
    await page
      .locator('relais-attachment-picker input#image')
      .setInputFiles({ name: 'flaky.jpg', mimeType: 'image/jpeg', buffer: bytes(CHUNK * 4) });
    await page.getByText('analyse en cours…').waitFor({ timeout: 10_000 });
    const patches = log.filter((l) => l.startsWith('PATCH') || l.startsWith('GET'));
    // The second chunk was stored but its answer lost: GET says 2 chunks, and it goes on
    // from there (not from 0, and the stored chunk is not sent again).
    const head = patches.indexOf(`GET ${CHUNK * 2}`);
    expect(head).toBeGreaterThan(1);
    expect(patches.slice(0, 2)).toEqual(['PATCH flaky.jpg 0', `PATCH flaky.jpg ${CHUNK}`]);
    expect(patches.slice(head + 1)).toEqual([
      `PATCH flaky.jpg ${CHUNK * 2}`,
      `PATCH flaky.jpg ${CHUNK * 3}`,
    ]);
    expect(errors.filter((e) => !e.includes('net::'))).toEqual([]);
    await context.close();
  });

  it('takes at most 10 files and says so', async () => {
    patchDelayMs = 0;
    const { context, page } = await openPage();
    await mount(page, 'relais-attachment-picker', { conversationId: 5 });
    const files = Array.from({ length: 12 }, (_, i) => ({
      name: `photo-${i + 1}.jpg`,
      mimeType: 'image/jpeg',
      buffer: bytes(100),
    }));
    await page.locator('relais-attachment-picker input#image').setInputFiles(files);
    await page.getByText('10 fichiers au plus par message : 2 fichier(s) non ajouté(s).').waitFor();
    await expect.poll(() => page.locator('relais-upload-chip').count()).toBe(10);
    expect(await page.getByRole('button', { name: 'Image' }).isDisabled()).toBe(true);
    await context.close();
  });
});

describe('composer of a conversation', () => {
  it('a 413 says why and keeps the typed text; the send waits for uploads and carries their ids', async () => {
    patchDelayMs = 150;
    const { context, page, errors } = await openPage();
    await mount(page, 'relais-conversation', { conversationId: 5 });
    const text = page.getByRole('textbox', { name: 'Votre message' });
    await text.fill('Voici la photo de la plaie');
    await page
      .locator('relais-attachment-picker input#document')
      .setInputFiles({ name: 'huge.mp4', mimeType: 'video/mp4', buffer: bytes(1000) });
    await page.getByText('Fichier trop volumineux : File over the 25 MB limit').waitFor();
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page
      .getByText('Un fichier n’a pas pu être joint : réessayez-le ou retirez-le, puis envoyez.')
      .waitFor();
    expect(await text.inputValue()).toBe('Voici la photo de la plaie');
    expect(sentMessages).toEqual([]);
    await page.getByRole('button', { name: 'Retirer huge.mp4 du message' }).click();
    await page
      .locator('relais-attachment-picker input#camera')
      .setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: bytes(CHUNK * 6) });
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByRole('button', { name: 'Envoi après téléversement…' }).waitFor();
    await expect.poll(() => sentMessages.length, { timeout: 10_000 }).toBe(1);
    const id = [...uploads.values()].find((u) => u.view.name === 'photo.jpg')!.view.id;
    expect(sentMessages[0]).toMatchObject({
      body: 'Voici la photo de la plaie',
      attachments: [id],
    });
    await expect.poll(() => text.inputValue()).toBe('');
    await expect.poll(() => page.locator('relais-upload-chip').count()).toBe(0);
    // The sent message shows its file (pending: "analyse en cours…").
    await page.locator('relais-message-attachments').getByText('analyse en cours…').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a message may be files only', async () => {
    patchDelayMs = 0;
    const { context, page } = await openPage();
    await mount(page, 'relais-conversation', { conversationId: 5 });
    await page
      .locator('relais-attachment-picker input#document')
      .setInputFiles({ name: 'ordonnance.pdf', mimeType: 'application/pdf', buffer: bytes(500) });
    await page.getByText('analyse en cours…').waitFor();
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await expect.poll(() => sentMessages.length).toBe(1);
    expect(sentMessages[0]).toMatchObject({ body: '' });
    expect((sentMessages[0]!.attachments as string[]).length).toBe(1);
    await context.close();
  });
});

const ready = (patch: Partial<AttachmentView>) =>
  view({
    id: 'a1',
    name: 'plaie.png',
    size: 123_456,
    mediaType: 'image/png',
    kind: 'image',
    status: 'ready',
    url: '/files/a1/file',
    thumbnailUrl: '/files/a1/thumbnail',
    urlExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    ...patch,
  });

describe('the conversation list', () => {
  it("previews a message of files only by its files' names", async () => {
    const { page, errors } = await openPage();
    await mount(page, 'relais-conversation-list');
    const last = page.locator('relais-conversation-list [part="item"] .preview.last');
    await expect
      .poll(() => last.textContent(), { timeout: 10_000 })
      .toBe('Bruno : 📎 pansement.jpg');
    expect(errors).toEqual([]);
  });
});

describe("a message's files", () => {
  it('placeholder, then thumbnail on attachment.updated; full screen closes with Escape and gives the focus back', async () => {
    const { context, page, errors } = await openPage();
    await mount(page, 'relais-message-attachments', {
      attachments: [view({ id: 'a1', name: 'plaie.png', status: 'pending', size: 10 })],
    });
    await page.getByText('analyse en cours…').waitFor();
    // What <relais-conversation> does with the event (its controller replaces the view).
    await page.evaluate(
      (a) => {
        const el = document.querySelector('relais-message-attachments') as HTMLElement & {
          attachments: unknown;
        };
        el.attachments = [a];
      },
      ready({ url: `${origin}/files/a1/file`, thumbnailUrl: `${origin}/files/a1/thumbnail` }),
    );
    const thumb = page.getByRole('button', { name: 'Voir plaie.png en plein écran' });
    await thumb.waitFor();
    await expect
      .poll(() =>
        page
          .getByRole('img', { name: 'plaie.png' })
          .first()
          .evaluate((i: HTMLImageElement) => i.naturalWidth),
      )
      .toBe(2);
    await thumb.click();
    const dialog = page.getByRole('dialog', { name: 'plaie.png' });
    await dialog.waitFor();
    expect(await dialog.getByRole('img', { name: 'plaie.png' }).getAttribute('src')).toBe(
      `${origin}/files/a1/file`,
    );
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect
      .poll(() => thumb.evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b))
      .toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the controller replaces the file in its message on attachment.updated', async () => {
    const { context, page } = await openPage();
    // The conversation's history has one message with a pending file.
    await page.route(`${origin}/api/conversations/5/messages`, (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          messages: [
            {
              id: 'm1',
              conversationId: 5,
              seq: 1,
              body: '',
              createdAt: '2026-12-01T10:00:00Z',
              sender: {
                accountId: 2,
                firstName: 'Bruno',
                lastName: 'Petit',
                identityVerified: true,
              },
              structure: null,
              mine: false,
              sentAt: { date: '', time: '', timeZone: 'Europe/Paris' },
              signature: '',
              attachments: [view({ id: 'a1', name: 'plaie.png', status: 'pending' })],
            },
          ],
          hasMoreBefore: false,
          hasMoreAfter: false,
          lastSeq: 1,
          lastReadSeq: 1,
        }),
      }),
    );
    await mount(page, 'relais-conversation', { conversationId: 5 });
    await page.locator('relais-message-attachments').getByText('analyse en cours…').waitFor();
    await page.evaluate((attachment) => {
      const s = (window as unknown as { session: { emitRealtime(e: unknown): void } }).session;
      s.emitRealtime({ type: 'attachment', conversationId: 5, messageId: 'm1', attachment });
    }, ready({}));
    await page.getByRole('button', { name: 'Voir plaie.png en plein écran' }).waitFor();
    await context.close();
  });

  it('an expired thumbnail URL is refreshed once', async () => {
    const { context, page } = await openPage();
    await mount(page, 'relais-message-attachments', {
      attachments: [ready({ thumbnailUrl: `${origin}/files/expired/thumbnail` })],
    });
    await expect.poll(() => log.includes('FRESH a1')).toBe(true);
    await expect
      .poll(() => page.getByRole('img', { name: 'plaie.png' }).first().getAttribute('src'))
      .toBe(`${origin}/files/ok/thumbnail`);
    expect(log.filter((l) => l === 'FRESH a1')).toHaveLength(1);
    await context.close();
  });

  it('documents, videos and audio; "non analysé"; names stay text', async () => {
    const { context, page } = await openPage();
    await mount(page, 'relais-message-attachments', {
      attachments: [
        ready({
          id: 'd1',
          name: '<b>lettre</b>.pdf',
          kind: 'document',
          mediaType: 'application/pdf',
          size: 2_400_000,
          download: true,
          scanned: false,
        }),
        ready({
          id: 'v1',
          name: 'geste.mp4',
          kind: 'video',
          mediaType: 'video/mp4',
          thumbnailUrl: '/files/v1/thumbnail',
        }),
        ready({
          id: 's1',
          name: 'voix.m4a',
          kind: 'audio',
          mediaType: 'audio/mp4',
          download: true,
          thumbnailUrl: null,
        }),
      ],
    });
    const link = page.getByRole('link', { name: 'Télécharger <b>lettre</b>.pdf' });
    await link.waitFor();
    expect(await link.getAttribute('download')).toBe('<b>lettre</b>.pdf');
    await page.getByText('PDF · 2,4 Mo').waitFor();
    await page.getByText('non analysé').waitFor();
    expect(await page.locator('relais-message-attachments b').count()).toBe(0);
    const video = page.locator('relais-message-attachments video');
    expect(await video.getAttribute('preload')).toBe('metadata');
    // The poster frame (the stub's bytes are no video: its error asks for fresh URLs once).
    expect(await video.getAttribute('poster')).toMatch(/\/files\/(v1|ok)\/thumbnail$/);
    expect(await video.evaluate((v: HTMLVideoElement) => v.controls)).toBe(true);
    expect(await page.locator('relais-message-attachments audio').count()).toBe(1);
    await context.close();
  });

  it('a refused file shows its name and the reason, in French and English', async () => {
    for (const [locale, malware, type] of [
      ['fr-FR', 'Fichier refusé : virus détecté', 'Type de fichier non autorisé'],
      ['en-GB', 'File refused: virus detected', 'File type not allowed'],
    ] as const) {
      const { context, page } = await openPage(locale);
      await mount(page, 'relais-message-attachments', {
        attachments: [
          view({ id: 'r1', name: 'eicar.pdf', status: 'infected', reason: 'malware' }),
          view({ id: 'r2', name: 'page.jpg', status: 'rejected', reason: 'type-not-allowed' }),
        ],
      });
      await page.getByText(malware).waitFor();
      await page.getByText(type).waitFor();
      await page.getByText('eicar.pdf').waitFor();
      await context.close();
    }
  });
});
