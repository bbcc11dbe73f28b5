import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttachmentBed, startAttachmentBed } from '../attachments/bed';
import { eicar, makePdf, makePhotoWithGps } from '../attachments/fixtures';
import { create, type Person, person, pro } from '../conversations/fixtures';
import { freePort } from '../helpers/ports';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

/**
 * Attachments end to end (issue 11) in Debian's Chromium, against the real server with the
 * attachments worker in process and a private clamd (EICAR signature): Alice takes a photo
 * and picks a document in the composer, sends them; Bruno, signed in elsewhere, sees the
 * placeholders turn into a thumbnail he opens full screen and a PDF he downloads, byte for
 * byte. A file the antivirus refuses shows its reason to Alice and never reaches Bruno.
 *
 * The worker holds the files named in `held` after examining them (before recording the
 * verdict), so that the pending state is seen for as long as the test needs it.
 */

const SUBJECT = 'Visite à domicile de jeudi';

let bed: AttachmentBed;
let browser: Browser;
let alice: Person;
let bruno: Person;
let contextA: BrowserContext;
let contextB: BrowserContext;
let pageA: Page;
let pageB: Page;
let errorsA: string[];
let errorsB: string[];

const held = new Map<string, { promise: Promise<void>; release: () => void }>();
function hold(name: string): void {
  let release = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  held.set(name, { promise, release });
}
const release = (name: string) => held.get(name)?.release();

beforeAll(async () => {
  const [, port] = await Promise.all([ensureWebBuilt(), freePort()]);
  bed = await startAttachmentBed({
    env: { ALLOWED_ORIGINS: `http://127.0.0.1:${port}` },
    server: { port },
    worker: {
      deps: {
        afterExamine: async (id) => {
          const row = await bed.app.ctx.db('attachments').where({ id }).first('file_name');
          if (row) await held.get(row.file_name)?.promise;
        },
      },
    },
  });
  alice = await person(bed.app.ctx, 'Alice', 'Martin');
  bruno = await person(bed.app.ctx, 'Bruno', 'Petit');
  const created = await create(bed.app.server, alice.token, [pro(bruno.professionalId)], {
    subject: SUBJECT,
  });
  expect(created.statusCode).toBe(201);
  browser = await launchBrowser();
  contextA = await newContext(browser, { width: 1200, height: 900 });
  contextB = await newContext(browser, { width: 1200, height: 900 });
  pageA = await contextA.newPage();
  pageB = await contextB.newPage();
  errorsA = watchErrors(pageA);
  errorsB = watchErrors(pageB);
}, 60_000);

afterAll(async () => {
  for (const { release } of held.values()) release();
  await browser?.close();
  await bed?.stop();
});

async function signIn(page: Page, user: Person): Promise<void> {
  await page.goto(bed.app.url);
  await page.getByLabel('Adresse e-mail').fill(user.email);
  await page.getByLabel('Mot de passe').fill(user.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

async function openConversation(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: new RegExp(SUBJECT) }).click();
  const view = page.locator('relais-conversation');
  await view.getByRole('heading', { name: SUBJECT }).waitFor();
  return view;
}

/** Picks files through one of the composer's buttons, as a user does (a file chooser). */
async function pick(page: Page, button: string, files: string[]): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page
      .locator('relais-conversation relais-attachment-picker')
      .getByRole('button', { name: button })
      .click(),
  ]);
  await chooser.setFiles(files);
}

const chip = (page: Page, name: string) =>
  page.locator('relais-upload-chip').filter({ hasText: name });

/** The message (list item) of a conversation view holding this text. */
const message = (view: Locator, text: string) => view.locator('li', { hasText: text }).last();

describe('attachments in a conversation', () => {
  it('signs both in, the conversation open on each side', { timeout: 30_000 }, async () => {
    await signIn(pageA, alice);
    await signIn(pageB, bruno);
    await openConversation(pageA);
    await openConversation(pageB);
  });

  it('a file the antivirus refuses shows its reason on its chip and holds the message back', {
    timeout: 30_000,
  }, async () => {
    const view = pageA.locator('relais-conversation');
    await pick(pageA, 'Document', [await eicar(bed.dir, 'eicar.txt')]);
    await chip(pageA, 'eicar.txt').getByText('Fichier refusé : virus détecté').waitFor();
    await view.getByLabel('Votre message').fill('Le relevé');
    await view.getByRole('button', { name: 'Envoyer' }).click();
    await view
      .getByText('Un fichier n’a pas pu être joint : réessayez-le ou retirez-le, puis envoyez.')
      .waitFor();
    // Nothing was sent, nothing typed was lost.
    expect(await view.getByLabel('Votre message').inputValue()).toBe('Le relevé');
    await view.getByRole('button', { name: 'Retirer eicar.txt du message' }).click();
    await expect.poll(() => chip(pageA, 'eicar.txt').count()).toBe(0);
    await view.getByLabel('Votre message').fill('');
    const sent = await bed.app.ctx.db('messages').where({ body: 'Le relevé' }).count('* as n');
    expect(Number(sent[0]?.n)).toBe(0);
  });

  it('a camera photo and a PDF: progress, pending, sent; the recipient sees them become ready, opens the photo full screen and downloads the PDF', {
    timeout: 90_000,
  }, async () => {
    const photo = await makePhotoWithGps(bed.dir, 'photo.jpg');
    const pdf = await makePdf(bed.dir, 'compte-rendu.pdf', 'Compte rendu de visite');
    const virus = await eicar(bed.dir, 'releve.txt');
    for (const name of ['photo.jpg', 'compte-rendu.pdf', 'releve.txt']) hold(name);
    const viewA = pageA.locator('relais-conversation');
    const viewB = pageB.locator('relais-conversation');

    // "Prendre une photo" opens the camera (capture) and accepts images.
    const camera = pageA.locator('relais-attachment-picker input#camera');
    expect(await camera.getAttribute('capture')).toBe('environment');
    expect(await camera.getAttribute('accept')).toBe('image/*');

    // A slow uplink (about 64 kB/s, like a weak 4G at the bedside), so the progress shows.
    const cdp = await contextA.newCDPSession(pageA);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 50,
      downloadThroughput: -1,
      uploadThroughput: 64 * 1024,
    });
    await pick(pageA, 'Prendre une photo', [photo]);
    const progress = pageA.getByRole('progressbar', { name: 'Téléversement de photo.jpg' });
    await progress.waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await chip(pageA, 'photo.jpg').getByText('analyse en cours…').waitFor({ timeout: 20_000 });

    // "Document", two at once: a PDF and a file that turns out to carry EICAR.
    await pick(pageA, 'Document', [pdf, virus]);
    await chip(pageA, 'compte-rendu.pdf').getByText('analyse en cours…').waitFor();
    await chip(pageA, 'releve.txt').getByText('analyse en cours…').waitFor();

    await viewA.getByLabel('Votre message').fill('Photo du pansement et compte rendu.');
    await viewA.getByRole('button', { name: 'Envoyer' }).click();
    await expect.poll(() => pageA.locator('relais-upload-chip').count()).toBe(0);
    const sentA = message(viewA, 'Photo du pansement et compte rendu.');
    await sentA.locator('relais-message-attachments').waitFor();

    // Bruno gets the message live, its files as placeholders while the worker holds them.
    const sentB = message(viewB, 'Photo du pansement et compte rendu.');
    const filesB = sentB.locator('relais-message-attachments');
    await filesB.getByText('photo.jpg').waitFor();
    await filesB.getByText('compte-rendu.pdf').waitFor();
    await expect.poll(() => filesB.getByText('analyse en cours…').count()).toBe(3);

    // The photo and the PDF are clean: Bruno's placeholders turn into a thumbnail and a card.
    release('photo.jpg');
    release('compte-rendu.pdf');
    const thumbnail = filesB.getByRole('button', { name: 'Voir photo.jpg en plein écran' });
    await thumbnail.waitFor({ timeout: 20_000 });
    const thumbImg = thumbnail.getByRole('img', { name: 'photo.jpg' });
    await expect
      .poll(() => thumbImg.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth))
      .toBeGreaterThan(0);
    await thumbnail.click();
    const dialog = pageB.getByRole('dialog', { name: 'photo.jpg' });
    await dialog.waitFor();
    const full = dialog.getByRole('img', { name: 'photo.jpg' });
    // The re-encoded photo, its EXIF orientation applied (stored 640×480, shown 480×640).
    await expect
      .poll(() =>
        full.evaluate((i: HTMLImageElement) =>
          i.complete ? [i.naturalWidth, i.naturalHeight] : null,
        ),
      )
      .toEqual([480, 640]);
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);

    const link = filesB.getByRole('link', { name: 'Télécharger compte-rendu.pdf' });
    await link.waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([pageB.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('compte-rendu.pdf');
    const downloaded = await readFile(await download.path());
    expect(downloaded.equals(await readFile(pdf))).toBe(true);

    // The third file is infected: Alice sees why under her message.
    release('releve.txt');
    const filesA = sentA.locator('relais-message-attachments');
    await filesA.getByText('Fichier refusé : virus détecté').waitFor({ timeout: 20_000 });
    await filesA.getByText('releve.txt').waitFor();
    // Bruno's placeholder goes away live, and nothing says why or what it was.
    await expect.poll(() => filesB.getByText('releve.txt').count(), { timeout: 20_000 }).toBe(0);
    expect(await filesB.getByText('virus').count()).toBe(0);
    await expect.poll(() => filesB.getByText('analyse en cours…').count()).toBe(0);
    // After a reload too: the server leaves it out of his view of the message.
    await pageB.reload();
    await pageB.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    const again = await openConversation(pageB);
    const reloaded = message(again, 'Photo du pansement et compte rendu.').locator(
      'relais-message-attachments',
    );
    await reloaded.getByRole('button', { name: 'Voir photo.jpg en plein écran' }).waitFor();
    await reloaded.getByRole('link', { name: 'Télécharger compte-rendu.pdf' }).waitFor();
    expect(await reloaded.getByText('releve.txt').count()).toBe(0);
    expect(await reloaded.getByText('virus').count()).toBe(0);

    expect(errorsA).toEqual([]);
    expect(errorsB).toEqual([]);
  });
});
