import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../domain/accounts';
import { freePort } from '../helpers/ports';
import { createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';
import {
  closeIntranet,
  createUnverifiedUser,
  PSC_BUTTON,
  signInWithPassword,
  startNobodyIntranet,
  untilClosed,
} from './psc-helpers';

/**
 * The Pro Santé Connect screens alone, with the server's side of the contract played by
 * the browser's request interception: /api/auth/methods, /auth/psc/start (pop-up page that
 * posts the handoff to its opener, or the redirect to returnTo#relais-psc=…), the handoff
 * exchange, the intent and the logout's endSessionUrl. The whole flow through the real
 * server and a provider shaped like PSC is psc.test.ts.
 */

let app: TestApp;
let browser: Browser;
let intranet: { server: Server; url: string };
let alice: TestUser;
let victor: TestUser;

beforeAll(async () => {
  const [, port, intranetPort] = await Promise.all([ensureWebBuilt(), freePort(), freePort()]);
  app = await startTestApp({
    env: { ALLOWED_ORIGINS: `http://127.0.0.1:${port},http://127.0.0.1:${intranetPort}` },
    server: { port },
  });
  alice = await createUser(app.ctx, {
    email: 'alice.psc@example.test',
    first_name: 'Alice',
    last_name: 'Martin',
  });
  victor = await createUnverifiedUser(app.ctx, {
    email: 'victor.psc@example.test',
    first_name: 'Victor',
    last_name: 'Hugo',
  });
  intranet = await startNobodyIntranet(app.url, intranetPort);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeIntranet(intranet);
  await app?.stop();
});

interface FakePsc {
  exchanged: string[];
  starts: URL[];
}

/** Plays the server's PSC routes in this browser context. */
async function fakePsc(
  context: BrowserContext,
  options: {
    handoffs: Record<string, TestUser | { error: string }>;
    popupError?: { error: string; code: string };
    intent?: string;
    onExchange?: (handoff: string) => Promise<void>;
  },
): Promise<FakePsc> {
  const seen: FakePsc = { exchanged: [], starts: [] };
  const cors = (route: Route) => ({
    'access-control-allow-origin': route.request().headers().origin ?? '*',
    'access-control-allow-headers': 'accept, authorization, content-type',
    'access-control-allow-methods': 'GET, POST',
  });
  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({
      status,
      headers: { ...cors(route), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const preflight = (route: Route) =>
    route.request().method() === 'OPTIONS'
      ? route.fulfill({ status: 204, headers: cors(route) }).then(() => true)
      : Promise.resolve(false);

  await context.route(`${app.url}/api/auth/methods`, (route) =>
    json(route, 200, { password: true, psc: true }),
  );
  await context.route(`${app.url}/auth/psc/start?*`, async (route) => {
    const url = new URL(route.request().url());
    seen.starts.push(url);
    const returnTo = url.searchParams.get('returnTo') ?? '';
    const handoff = url.searchParams.get('intent')
      ? 'H-verify'
      : `H-${url.searchParams.get('mode')}`;
    if (url.searchParams.get('mode') === 'redirect') {
      return route.fulfill({
        status: 302,
        headers: { location: `${returnTo}#relais-psc=${handoff}` },
      });
    }
    const message = options.popupError
      ? { type: 'relais:psc', ...options.popupError }
      : { type: 'relais:psc', handoff };
    return route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><title>PSC</title><p>Pro Santé Connect (simulé)</p><script>
        setTimeout(() => {
          window.opener.postMessage(${JSON.stringify(message)}, ${JSON.stringify(new URL(returnTo).origin)});
          window.close();
        }, 600);</script>`,
    });
  });
  await context.route(`${app.url}/api/auth/psc/exchange`, async (route) => {
    if (await preflight(route)) return;
    const { handoff } = route.request().postDataJSON() as { handoff: string };
    seen.exchanged.push(handoff);
    await options.onExchange?.(handoff);
    const who = options.handoffs[handoff];
    if (!who) return json(route, 410, { message: 'Already used or expired' });
    if ('error' in who) return json(route, 409, { message: who.error });
    const { token, expiresAt } = await createSession(app.ctx, who.account.id, 'password');
    return json(route, 201, {
      token,
      expiresAt: expiresAt.toISOString(),
      account: {
        id: who.account.id,
        firstName: who.account.first_name,
        lastName: who.account.last_name,
      },
    });
  });
  await context.route(`${app.url}/api/auth/psc/intent`, async (route) => {
    if (await preflight(route)) return;
    return json(route, 200, { intent: options.intent ?? 'I-1' });
  });
  return seen;
}

async function signedInAs(page: Page, name: string) {
  await expect.poll(() => page.locator('relais-app [part="user"]').textContent()).toBe(name);
  await expect
    .poll(() => page.getByRole('link', { name: 'Discussion' }).getAttribute('aria-current'))
    .toBe('page');
  await page.getByText('Aucune conversation').waitFor();
}

describe('Pro Santé Connect in <relais-sign-in> (server side simulated)', () => {
  it('shows no Pro Santé Connect at all when the server does not offer it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const methods = page.waitForResponse((r) => r.url() === `${app.url}/api/auth/methods`);
    await page.goto(app.url);
    await page.getByLabel('Mot de passe').waitFor();
    await methods; // answered (a 404 from an older server, or psc: false)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).waitFor();
    expect(await page.getByText('Pro Santé Connect').count()).toBe(0);
    expect(await page.locator('relais-sign-in [part="psc"]').count()).toBe(0);
    await context.close();
  });

  it('signs in from an intranet page on another origin through a pop-up', async () => {
    const context = await newContext(browser);
    const seen = await fakePsc(context, { handoffs: { 'H-popup': alice } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(intranet.url);
    const button = page.getByRole('button', PSC_BUTTON);
    await button.waitFor();
    await page.setViewportSize({ width: 320, height: 640 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      320,
    );
    // A message from anyone but the Relais server is ignored.
    await page.evaluate(() => window.postMessage({ type: 'relais:psc', handoff: 'H-evil' }, '*'));
    const [popup] = await Promise.all([context.waitForEvent('page'), button.click()]);
    await page
      .getByRole('status')
      .getByText(/terminez-la dans la fenêtre ouverte/)
      .waitFor();
    await untilClosed(popup);
    await signedInAs(page, 'Alice Martin');
    expect(seen.exchanged).toEqual(['H-popup']);
    const start = seen.starts[0]!;
    expect(start.searchParams.get('mode')).toBe('popup');
    expect(start.searchParams.get('returnTo')).toBe(`${intranet.url}/`);
    expect(new URL(page.url()).origin).toBe(intranet.url);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('falls back to a top-level redirect when pop-ups are blocked, and clears the address', async () => {
    const context = await newContext(browser);
    const seen = await fakePsc(context, { handoffs: { 'H-redirect': alice } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.open = () => null; // a browser that blocks pop-ups
    });
    await page.goto(`${intranet.url}/?as=email:nobody@example.test`);
    const before = page.url();
    await page.getByRole('button', PSC_BUTTON).click();
    await signedInAs(page, 'Alice Martin');
    expect(seen.starts[0]!.searchParams.get('mode')).toBe('redirect');
    expect(seen.starts[0]!.searchParams.get('returnTo')).toBe(before);
    expect(seen.exchanged).toEqual(['H-redirect']);
    // The handoff left the address bar (and the history entry) at once.
    expect(page.url()).toBe(before);
    await context.close();
  });

  it('explains a refusal in the form, in French and in English', async () => {
    // The pop-up says why (its code), then a handoff the server no longer accepts.
    const context = await newContext(browser);
    const refusing = {
      handoffs: {},
      popupError: { error: 'Ce numéro RPPS est déjà lié…', code: 'rpps-bound-elsewhere' },
    };
    await fakePsc(context, refusing);
    const page = await context.newPage();
    await page.goto(app.url);
    await page.getByRole('button', PSC_BUTTON).click();
    const alert = page.getByRole('alert');
    await alert
      .getByText(
        'Ce numéro RPPS est déjà lié à un autre compte Relais. Rien n’a été modifié : contactez l’administrateur de Relais.',
      )
      .waitFor();
    refusing.popupError = undefined as never;
    await page.getByRole('button', PSC_BUTTON).click();
    await alert
      .getByText('La connexion Pro Santé Connect a expiré ou a déjà servi. Recommencez.')
      .waitFor();
    // The redirect's error code, in English.
    const english = await newContext(browser, { locale: 'en-GB' });
    await fakePsc(english, { handoffs: {} });
    const en = await english.newPage();
    await en.goto(`${app.url}/#relais-psc-error=denied`);
    await en
      .getByRole('alert')
      .getByText('The sign-in was cancelled on Pro Santé Connect.')
      .waitFor();
    await en.getByRole('button', { name: 'Sign in with Pro Santé Connect', exact: true }).waitFor();
    expect(new URL(en.url()).hash).toBe('');
    await english.close();
    await context.close();
  });
});

describe('Pro Santé Connect in <relais-app> (server side simulated)', () => {
  it('verifies an unverified account: the badge goes, the list reloads, sign-out ends the PSC session', async () => {
    const context = await newContext(browser);
    const seen = await fakePsc(context, {
      handoffs: { 'H-verify': victor },
      intent: 'I-victor',
      onExchange: async () => {
        await app.ctx.db('accounts').where({ id: victor.account.id }).update({
          identity_verified: true,
        });
      },
    });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(app.url);
    await signInWithPassword(page, victor);
    await signedInAs(page, 'Victor Hugo');
    const badge = page.locator('relais-app header [part="unverified"]');
    expect(await badge.textContent()).toBe('identité non vérifiée');
    // Usable from 320 px wide, banner included: nothing sticks out sideways.
    await page.setViewportSize({ width: 320, height: 640 });
    await page.locator('relais-app [part="verify-banner"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      320,
    );

    const storageKey = `relais:session:${app.url}`;
    const oldToken = await page.evaluate(
      (key) => JSON.parse(sessionStorage.getItem(key) ?? '{}').token as string,
      storageKey,
    );
    const verify = page.getByRole('button', {
      name: 'Vérifier mon identité avec Pro Santé Connect',
    });
    const [popup] = await Promise.all([context.waitForEvent('page'), verify.click()]);
    await untilClosed(popup);
    await page.getByText('Votre identité est vérifiée par Pro Santé Connect.').waitFor();
    await expect.poll(() => badge.count()).toBe(0);
    expect(await verify.count()).toBe(0);
    await page.getByText('Aucune conversation').waitFor();
    expect(seen.starts[0]!.searchParams.get('intent')).toBe('I-victor');
    // The verified session replaced the old one, which is revoked.
    const newToken = await page.evaluate(
      (key) => JSON.parse(sessionStorage.getItem(key) ?? '{}').token as string,
      storageKey,
    );
    expect(newToken).not.toBe(oldToken);
    const me = (token: string) =>
      fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    await expect.poll(async () => (await me(oldToken)).status).toBe(401);
    expect((await me(newToken)).status).toBe(200);

    // Sign-out: the logout answers with the provider's end-session URL; the standalone page
    // goes there itself.
    await context.route(`${app.url}/api/auth/logout`, async (route) => {
      await route.fetch(); // the real revocation
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ endSessionUrl: `${app.url}/psc-end-session?done=1` }),
      });
    });
    await context.route(`${app.url}/psc-end-session?*`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<p>Session PSC terminée</p>',
      }),
    );
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByText('Session PSC terminée').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('embedded, ends the PSC session in a pop-up and keeps the intranet page', async () => {
    const context = await newContext(browser);
    await fakePsc(context, { handoffs: { 'H-popup': alice } });
    await context.route(`${app.url}/api/auth/logout`, async (route) => {
      if (route.request().method() === 'OPTIONS') return route.fallback();
      await route.fetch(); // the real revocation
      await route.fulfill({
        status: 200,
        headers: {
          'access-control-allow-origin': intranet.url,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ endSessionUrl: `${app.url}/psc-end-session?done=1` }),
      });
    });
    await context.route(`${app.url}/psc-end-session?*`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        body: '<p>Session PSC terminée</p>',
      }),
    );
    const page = await context.newPage();
    await page.goto(intranet.url);
    const [signIn] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', PSC_BUTTON).click(),
    ]);
    await untilClosed(signIn);
    await signedInAs(page, 'Alice Martin');
    const [endSession] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Se déconnecter' }).click(),
    ]);
    await endSession.getByText('Session PSC terminée').waitFor();
    expect(page.url()).toBe(`${intranet.url}/`);
    await page.getByText('Vous êtes déconnecté.').waitFor();
    await context.close();
  });
});
