import type { Server } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../domain/accounts';
import { DEMO_INTEGRATION_SECRET } from '../../domain/config';
import { startIntranet } from '../../scripts/demo-intranet';
import { freePort } from '../helpers/ports';
import { createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

let app: TestApp;
let browser: Browser;
let context: BrowserContext;
let intranet: { server: Server; url: string };
let alice: TestUser;

beforeAll(async () => {
  const [, port, intranetPort] = await Promise.all([ensureWebBuilt(), freePort(), freePort()]);
  app = await startTestApp({
    env: {
      ALLOWED_ORIGINS: `http://127.0.0.1:${port},http://127.0.0.1:${intranetPort}`,
      LOGIN_MAX_PER_ACCOUNT: '3',
    },
    server: { port },
  });
  alice = await createUser(app.ctx, {
    email: 'alice.martin@example.test',
    password: 'correct horse battery staple',
    first_name: 'Alice',
    last_name: 'Martin',
  });
  intranet = await startIntranet(
    {
      relaisUrl: app.url,
      integrationId: 'demo-intranet',
      secret: DEMO_INTEGRATION_SECRET,
      users: [{ sub: `email:${alice.email}`, label: 'Alice' }],
    },
    intranetPort,
  );
  browser = await launchBrowser();
  context = await newContext(browser);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => intranet?.server.close(r));
  await app?.stop();
});

describe('standalone page', () => {
  it('signs in and lands on the Discussion tab with the empty list (S1)', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(app.url);
    await page.getByLabel('Adresse e-mail').fill(alice.email);
    await page.getByLabel('Mot de passe').fill(alice.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();

    await expect
      .poll(() => page.locator('relais-app [part="user"]').textContent())
      .toBe('Alice Martin');
    await expect
      .poll(() => page.getByRole('link', { name: 'Discussion' }).getAttribute('aria-current'))
      .toBe('page');
    await page.getByText('Aucune conversation').waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();

    // A reload keeps the session (sessionStorage of this page), no cookie is set.
    await page.reload();
    await page.getByText('Aucune conversation').waitFor();
    expect(await context.cookies()).toEqual([]);

    // Usable from 320 px wide: nothing sticks out sideways.
    await page.setViewportSize({ width: 320, height: 640 });
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.getByRole('button', { name: 'Nouvelle conversation' }).click();
    await page.getByLabel('Objet').waitFor();
    expect(await width()).toBeLessThanOrEqual(320);
    await page.getByRole('button', { name: 'Ajouter des destinataires' }).click();
    const name = page.getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' });
    await name.waitFor();
    expect(await width()).toBeLessThanOrEqual(320);

    // Session revoked on the server while the app is open: the next request brings the
    // sign-in back, explained.
    await app.ctx.db('sessions').where({ account_id: alice.account.id }).update({
      revoked_at: app.ctx.db.fn.now(),
    });
    await name.fill('martin');
    await page.getByText('Votre session a expiré. Reconnectez-vous.').waitFor();
    await page.getByLabel('Mot de passe').waitFor();
    // And after a reload the stale token is gone: the form, no error.
    await page.reload();
    await page.getByLabel('Mot de passe').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explains a wrong password, then too many attempts with the wait', async () => {
    const page = await context.newPage();
    await page.goto(app.url);
    const bob = await createUser(app.ctx, { email: 'bob@example.test', password: 'right one' });
    await page.getByLabel('Adresse e-mail').fill(bob.email);
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('Mot de passe').fill('wrong');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page
        .getByRole('alert')
        .getByText('Adresse e-mail ou mot de passe incorrect.')
        .waitFor();
    }
    await page.getByLabel('Mot de passe').fill('right one');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page
      .getByRole('alert')
      .getByText(/Trop de tentatives échouées\. Réessayez dans \d+ min\./)
      .waitFor();
    await page.close();
  });

  it('says so when the server cannot be reached, and speaks English when asked', async () => {
    const english = await newContext(browser, { locale: 'en-GB' });
    const page = await english.newPage();
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // Point the app at a port where nothing listens.
    await page.evaluate(
      (port) => {
        document.querySelector('relais-app')!.setAttribute('server', `http://127.0.0.1:${port}`);
      },
      await freePort(),
    );
    await page.getByLabel('E-mail address').fill('x@example.test');
    await page.getByLabel('Password').fill('x');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .getByText(/cannot be reached/)
      .waitFor();
    await english.close();
  });
});

describe('embedded in an intranet page on another origin', () => {
  it('signs in with the embed token signed by the intranet backend', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(intranet.url);
    expect(new URL(page.url()).origin).not.toBe(new URL(app.url).origin);
    await expect
      .poll(() => page.locator('relais-app [part="user"]').textContent())
      .toBe('Alice Martin');
    await page.getByText('Aucune conversation').waitFor();
    // Moving the element in the page does not replay the (single-use) embed token.
    await page.evaluate(() => {
      const app = document.querySelector('relais-app')!;
      document.body.append(app);
    });
    await page.getByText('Aucune conversation').waitFor();
    await expect
      .poll(() => page.locator('relais-app [part="user"]').textContent())
      .toBe('Alice Martin');
    // One script tag, from the Relais server.
    const scripts = await page
      .locator('script[src]')
      .evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).src));
    expect(scripts).toEqual([`${app.url}/relais.js`]);
    // The intranet's global styles do not leak into the components (shadow DOM).
    const background = await page
      .getByRole('button', { name: 'Se déconnecter' })
      .evaluate((b) => getComputedStyle(b).backgroundColor);
    expect(background).not.toBe('rgb(255, 105, 180)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lets a page use a finer element on its own with a token', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(intranet.url); // the intranet's origin, allowed by Relais
    const { token } = await createSession(app.ctx, alice.account.id, 'embed');
    await page.setContent(`<!doctype html><html lang="fr"><body>
      <script src="${app.url}/relais.js"></script>
      <relais-conversation-list server="${app.url}" token="${token}"
        style="--relais-primary: rgb(46, 94, 58)"></relais-conversation-list></body></html>`);
    await page.getByText('Aucune conversation').waitFor();
    const button = page.getByRole('button', { name: 'Nouvelle conversation' });
    expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      'rgb(46, 94, 58)',
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
