import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttachmentView } from '../../web/src/client/types';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

/**
 * The components in a page of another origin than the Relais server, as an intranet
 * embeds them: a stub of the Relais API (its own origin, CORS like the real server, the
 * scripts of web/dist) and a pretend intranet page (a second server, another origin).
 *   - A file's URLs, which the server gives as paths on itself, point at the server's
 *     origin, not at the page's (web/src/client/urls.ts).
 *   - relais-extra.js (Administration, "Mon identité", English) is loaded next to
 *     relais.js when first needed: by a page that uses <relais-admin> itself, and by
 *     <relais-app>; when it cannot be loaded the screen says so and "Réessayer" works.
 */

const dist = fileURLToPath(new URL('../../web/dist/', import.meta.url));
// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

let api: Server;
let intranet: Server;
let apiOrigin: string;
let pageOrigin: string;
let browser: Browser;
let log: string[] = [];
let failExtra = false;
/** The intranet's page for the next request of `/`. */
let pageBody = '';

const account = {
  id: 1,
  firstName: 'Alice',
  lastName: 'Martin',
  email: 'alice@example.test',
  timeZone: 'Europe/Paris',
  identityVerified: true,
  structures: [],
};

function view(patch: Partial<AttachmentView>): AttachmentView {
  return {
    id: 'a1',
    name: 'plaie.png',
    size: 68,
    mediaType: 'image/png',
    kind: 'image',
    status: 'ready',
    reason: null,
    scanned: true,
    received: 68,
    width: 2,
    height: 2,
    durationSeconds: null,
    url: '/files/a1/file?exp=1&sig=x',
    thumbnailUrl: '/files/a1/thumbnail?exp=1&sig=x',
    download: false,
    urlExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    ...patch,
  };
}

const conversation = {
  id: 5,
  subject: 'Plaie du pied',
  patient: null,
  createdAt: '2026-12-01T10:00:00Z',
  lastActivityAt: '2026-12-01T10:00:00Z',
  lastSeq: 1,
  participants: [],
  lastMessage: null,
  lastReadSeq: 1,
  unreadCount: 0,
};

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, accept',
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
};

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS });
  res.end(JSON.stringify(body));
}

/** The Relais server, as far as these elements need it. */
function handleApi(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', apiOrigin);
  const path = url.pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS);
    res.end();
    return;
  }
  if (path === '/relais.js' || path === '/relais-extra.js') {
    log.push(`SCRIPT ${path}${url.search}`);
    if (path === '/relais-extra.js' && failExtra) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript', ...CORS });
    res.end(readFileSync(`${dist}${path.slice(1)}`));
    return;
  }
  if (path.startsWith('/files/')) {
    log.push(`FILE ${path}`);
    if (path.includes('expired')) {
      res.writeHead(403, CORS);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/png', ...CORS });
    res.end(PNG);
    return;
  }
  if (path === '/api/me') return json(res, 200, account);
  if (path === '/api/auth/methods') return json(res, 200, { password: true, psc: false });
  if (path === '/api/conversations') {
    return json(res, 200, { conversations: [], nextCursor: null, serverTime: new Date() });
  }
  if (path === '/api/conversations/5') return json(res, 200, conversation);
  if (path === '/api/conversations/5/reads') return json(res, 200, { readers: [] });
  if (path === '/api/conversations/5/read' || path === '/api/conversations/5/delivered') {
    return json(res, 200, { lastReadSeq: 1, lastDeliveredSeq: 1, unreadCount: 0 });
  }
  if (path === '/api/conversations/5/messages') {
    return json(res, 200, {
      messages: [
        {
          id: 'm1',
          conversationId: 5,
          seq: 1,
          body: 'La photo',
          createdAt: '2026-12-01T10:00:00Z',
          sender: { accountId: 2, firstName: 'Bruno', lastName: 'Petit', identityVerified: true },
          structure: null,
          mine: false,
          sentAt: { date: '01/12/26', time: '11:00:00', timeZone: 'Europe/Paris' },
          signature: '',
          attachments: [
            view({}),
            view({ id: 'a2', name: 'cheville.png', thumbnailUrl: '/files/expired/thumbnail' }),
          ],
        },
      ],
      hasMoreBefore: false,
      hasMoreAfter: false,
      lastSeq: 1,
      lastReadSeq: 1,
    });
  }
  const fresh = /^\/api\/attachments\/([^/]+)$/.exec(path);
  if (fresh) {
    log.push(`FRESH ${fresh[1]}`);
    return json(res, 200, {
      attachment: view({
        id: fresh[1]!,
        name: 'cheville.png',
        url: '/files/ok/file',
        thumbnailUrl: '/files/ok/thumbnail',
      }),
    });
  }
  json(res, 404, { message: `no stub for ${req.method} ${path}` });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  await ensureWebBuilt();
  api = createServer(handleApi);
  intranet = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(pageBody);
  });
  apiOrigin = await listen(api);
  pageOrigin = await listen(intranet);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => api?.close(r));
  await new Promise((r) => intranet?.close(r));
});

beforeEach(() => {
  log = [];
  failExtra = false;
});

/** The intranet's page with relais.js from the Relais server, and `body`. */
async function openIntranet(body: string, locale = 'fr-FR') {
  pageBody = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Intranet</title>
    <script src="${apiOrigin}/relais.js"></script></head><body>${body}</body></html>`;
  const context = await newContext(browser, { locale });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(pageOrigin);
  await page.waitForFunction(() => 'Relais' in window);
  return { context, page, errors };
}

/**
 * Errors other than the stub's missing websocket (elements with a token open one) and
 * the failures of relais-extra.js this file asks for.
 */
function realErrors(errors: string[]): string[] {
  return errors.filter((e) => !/WebSocket/i.test(e) && !/^HTTP 503 .*\/relais-extra\.js/.test(e));
}

describe('attachment URLs in a page of another origin', () => {
  it("resolves the server's paths against the server, not the page", async () => {
    const { context, page, errors } = await openIntranet('');
    expect(new URL(page.url()).origin).not.toBe(apiOrigin);
    await page.evaluate(
      ({ apiOrigin, account }) => {
        const R = (
          window as unknown as { Relais: { RelaisSession: new (...a: unknown[]) => unknown } }
        ).Relais;
        const el = document.createElement('relais-conversation' as string) as HTMLElement &
          Record<string, unknown>;
        el.session = new R.RelaisSession(apiOrigin, 'tok', account);
        el.conversationId = 5;
        document.body.append(el);
      },
      { apiOrigin, account },
    );
    const thumb = page.getByRole('img', { name: 'plaie.png' }).first();
    await thumb.waitFor();
    expect(await thumb.getAttribute('src')).toBe(`${apiOrigin}/files/a1/thumbnail?exp=1&sig=x`);
    await expect.poll(() => thumb.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);
    // Full screen: the file itself, from the server.
    await page.getByRole('button', { name: 'Voir plaie.png en plein écran' }).click();
    const dialog = page.getByRole('dialog', { name: 'plaie.png' });
    await dialog.waitFor();
    expect(await dialog.getByRole('img', { name: 'plaie.png' }).getAttribute('src')).toBe(
      `${apiOrigin}/files/a1/file?exp=1&sig=x`,
    );
    await page.keyboard.press('Escape');
    // An expired thumbnail gets fresh URLs (GET /api/attachments/a2), also made absolute.
    await expect
      .poll(() => page.getByRole('img', { name: 'cheville.png' }).first().getAttribute('src'))
      .toBe(`${apiOrigin}/files/ok/thumbnail`);
    expect(log).toContain('FRESH a2');
    expect(log).toContain('FILE /files/a1/thumbnail');
    expect(realErrors(errors)).toEqual([]);
    await context.close();
  });
});

describe('relais-extra.js, loaded when first needed', () => {
  it('a page using <relais-admin> itself gets it; a failed load says so and retries', async () => {
    failExtra = true;
    const { context, page, errors } = await openIntranet(
      `<relais-admin server="${apiOrigin}" token="tok"></relais-admin>`,
    );
    const alert = page.locator('relais-admin [role="alert"]');
    await alert.getByText('Cet écran n’a pas pu être chargé').waitFor();
    // Next to relais.js, with the version relais.js was built with.
    expect(log.filter((l) => l.startsWith('SCRIPT /relais-extra.js'))[0]).toMatch(
      /^SCRIPT \/relais-extra\.js\?v=[0-9a-f]{12}$/,
    );
    failExtra = false;
    await alert.getByRole('button', { name: 'Réessayer' }).click();
    await page.getByText('Vous n’administrez aucune structure.').waitFor();
    expect(await page.locator('relais-admin [role="alert"]').count()).toBe(0);
    expect(
      await page.evaluate(() =>
        ['relais-admin', 'relais-identity'].map((t) => !!customElements.get(t)),
      ),
    ).toEqual([true, true]);
    expect(realErrors(errors)).toEqual([]);
    await context.close();
  });

  it('<relais-app> loads "Mon identité" on demand, with a retry when it fails', async () => {
    const { context, page, errors } = await openIntranet(
      `<relais-app server="${apiOrigin}" token="tok"></relais-app>`,
    );
    await page.getByText('Aucune conversation').waitFor();
    // The Discussion tab needs nothing more than relais.js.
    expect(log.filter((l) => l.startsWith('SCRIPT'))).toEqual(['SCRIPT /relais.js']);
    failExtra = true;
    await page.getByRole('button', { name: 'Mon identité' }).click();
    const failure = page.locator('relais-app [part="load-error"]');
    await failure.getByText('Cet écran n’a pas pu être chargé').waitFor();
    expect(await failure.getAttribute('role')).toBe('alert');
    failExtra = false;
    await failure.getByRole('button', { name: 'Réessayer' }).click();
    await page.locator('relais-identity').getByRole('heading', { name: 'Mon identité' }).waitFor();
    expect(await failure.count()).toBe(0);
    // Once loaded, for good: back and forth without another request.
    await page.getByRole('link', { name: 'Discussion' }).click();
    await page.getByRole('button', { name: 'Mon identité' }).click();
    await page.locator('relais-identity').getByRole('heading', { name: 'Mon identité' }).waitFor();
    expect(log.filter((l) => l.startsWith('SCRIPT /relais-extra.js'))).toHaveLength(2);
    expect(realErrors(errors)).toEqual([]);
    await context.close();
  });

  it('English comes with relais-extra.js, before anything is shown', async () => {
    const { context, page } = await openIntranet(
      `<relais-app server="${apiOrigin}" token="tok"></relais-app>`,
      'en-GB',
    );
    await page.getByText('No conversations').waitFor();
    expect(await page.getByRole('button', { name: 'My identity' }).count()).toBe(1);
    expect(log.filter((l) => l.startsWith('SCRIPT /relais-extra.js'))).toHaveLength(1);
    await context.close();
  });
});
