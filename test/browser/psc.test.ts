import type { Server } from 'node:http';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeInvitationQueues } from '../../domain/invitations';
import {
  type LocalPsc,
  type PscProfessional,
  startLocalPsc,
} from '../../scripts/psc/local-provider';
import { freePort } from '../helpers/ports';
import { createUser, startTestApp, type TestApp } from '../helpers/server';
import { clinicalConversation } from '../invitations/fixtures';
import { inviteAndToken } from '../invitations/identity-fixtures';
import { directoryEntry, newRpps } from '../psc/helpers';
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
 * Issue 16 end to end in real Chromium: "Se connecter avec Pro Santé Connect" from
 * <relais-app> embedded in the demo intranet (another origin) through a local provider
 * shaped like Pro Santé Connect (scripts/psc/local-provider.ts): the pop-up, the redirect
 * when pop-ups are blocked, the provider's session ended at sign-out, and the invitation
 * page's link.
 */

const person = (firstName: string, lastName: string): PscProfessional => ({
  rpps: newRpps(),
  firstName,
  lastName,
  professionCode: '10',
  activities: [{ raisonSocialeSite: 'CABINET DU PARC', numeroFinessSite: '250000700' }],
});

const claire = person('Claire', 'MARTIN');
const karim = person('Karim', 'BENALI');
const romain = person('Romain', 'INVITE');
const iris = person('Iris', 'VERIFIEE');
// PSC knows her at the Cabinet du Parc; the directory, older, at the hospital.
const nadia = { ...person('Nadia', 'COMPAREE'), specialityCode: 'SM54' };
const yann = person('Yann', 'DEPUISLAVUE');

const CLIENT_ID = 'relais-browser-test';
const CLIENT_SECRET = 'browser-test-client-secret-0123456789abcdef';

let app: TestApp;
let psc: LocalPsc;
let browser: Browser;
let intranet: { server: Server; url: string };
const ids: Record<string, number> = {};

beforeAll(async () => {
  const [, port, pscPort, intranetPort] = await Promise.all([
    ensureWebBuilt(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const publicUrl = `http://127.0.0.1:${port}`;
  psc = await startLocalPsc({
    port: pscPort,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${publicUrl}/auth/psc/callback`],
    postLogoutRedirectUris: [publicUrl],
    professionals: [claire, karim, romain, iris, nadia, yann],
  });
  app = await startTestApp({
    env: {
      PUBLIC_URL: publicUrl,
      ALLOWED_ORIGINS: `${publicUrl},http://127.0.0.1:${intranetPort}`,
      PSC_ISSUER: psc.issuer,
      PSC_CLIENT_ID: CLIENT_ID,
      PSC_CLIENT_SECRET: CLIENT_SECRET,
    },
    server: { port },
  });
  for (const p of [claire, karim, romain, iris, nadia, yann]) {
    ids[p.rpps] = await directoryEntry(app.ctx, p);
  }
  await app.ctx
    .db('professionals')
    .where({ id: ids[nadia.rpps] })
    .update({ speciality_code: 'SM54', speciality_label: 'Médecine Générale' });
  const [hospital] = await app.ctx
    .db('structures')
    .insert({
      structure_key: `F${nadia.rpps}`,
      name: 'CENTRE HOSPITALIER DU LAC',
      finess_site: '250000999',
      city: 'ANNECY',
    })
    .returning('id');
  await app.ctx.db('activities').insert({
    professional_id: ids[nadia.rpps],
    structure_id: hospital.id,
    practice_mode_code: 'S',
    practice_mode_label: 'Salarié',
  });
  intranet = await startNobodyIntranet(app.url, intranetPort);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeIntranet(intranet);
  if (app) await closeInvitationQueues(app.ctx);
  await app?.stop();
  await psc?.close();
});

/** The local provider's login page: pick who signs in. */
async function pickAtProvider(page: Page, who: PscProfessional) {
  await page
    .getByRole('button', { name: `${who.firstName} ${who.lastName} · RPPS ${who.rpps}` })
    .click();
}

/** The text an element shows (its shadow root's), spaces collapsed. */
const shadowText = (el: Locator) =>
  el.evaluate((e) => (e.shadowRoot?.textContent ?? '').replace(/\s+/g, ' '));

/** An unverified account signs in with its password in the intranet page. */
async function unverifiedSignsIn(context: BrowserContext, firstName: string, lastName: string) {
  const user = await createUnverifiedUser(app.ctx, {
    email: `${firstName.toLowerCase()}@example.test`,
    first_name: firstName,
    last_name: lastName,
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(intranet.url);
  await signInWithPassword(page, user);
  await landsSignedIn(page, `${firstName} ${lastName}`);
  return { user, page, errors };
}

async function landsSignedIn(page: Page, name: string) {
  await expect.poll(() => page.locator('relais-app [part="user"]').textContent()).toBe(name);
  await expect
    .poll(() => page.getByRole('link', { name: 'Discussion' }).getAttribute('aria-current'))
    .toBe('page');
}

describe('Pro Santé Connect from the embedded demo intranet', () => {
  // A fresh browser for each test: no provider session left over from the one before.
  let context: BrowserContext;
  beforeEach(async () => {
    context = await newContext(browser, { width: 1200 });
  });
  afterEach(async () => {
    await context?.close();
  });

  it('signs in through the provider in a pop-up and lands on the Discussion tab', async () => {
    const relaisCookies: string[] = [];
    context.on('response', async (r) => {
      // A response still arriving as the context closes has no headers to read any more.
      const cookie =
        r.url().startsWith(app.url) && (await r.headerValue('set-cookie').catch(() => null));
      if (cookie) relaisCookies.push(`${r.url()}: ${cookie}`);
    });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(intranet.url);
    expect(new URL(page.url()).origin).not.toBe(new URL(app.url).origin);
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', PSC_BUTTON).click(),
    ]);
    await popup.waitForURL(`${psc.issuer}/**`);
    await pickAtProvider(popup, claire);
    await untilClosed(popup);
    await landsSignedIn(page, 'Claire MARTIN');
    await page.getByText('Aucune conversation').waitFor();
    // Still the intranet's page, with no "identité non vérifiée": PSC verified who she is.
    expect(page.url()).toBe(`${intranet.url}/`);
    expect(await page.locator('relais-app header [part="unverified"]').count()).toBe(0);
    const account = await app.ctx
      .db('accounts')
      .where({ professional_id: ids[claire.rpps] })
      .first();
    expect(account?.identity_verified).toBe(true);
    // Relais set one cookie only, first-party in its own pop-up: the one that ties the flow
    // to this browser (login CSRF), sent to /auth/psc only, out of scripts' reach. The
    // intranet page itself needed none.
    expect(relaisCookies).toHaveLength(1);
    expect(relaisCookies[0]).toMatch(
      /\/auth\/psc\/start\?.*: relais_psc=[\w-]+; Path=\/auth\/psc;/,
    );
    expect(relaisCookies[0]).toMatch(/HttpOnly; SameSite=Lax/);
    expect(errors).toEqual([]);

    // Sign-out ends the provider's session too, in a pop-up: the intranet page stays.
    const [ending] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Se déconnecter' }).click(),
    ]);
    await page.getByText('Vous êtes déconnecté.').waitFor();
    await ending.waitForURL(`${psc.issuer}/session/end**`);
    await ending.waitForURL(`${app.url}/**`); // the provider sent it back to Relais
    expect(page.url()).toBe(`${intranet.url}/`);
    await ending.close();
    await page.close();
  });

  it('falls back to a top-level redirect when the browser blocks the pop-up', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.addInitScript(() => {
      window.open = () => null; // pop-ups blocked
    });
    await page.goto(intranet.url);
    await page.getByRole('button', PSC_BUTTON).click();
    await page.waitForURL(`${psc.issuer}/**`);
    await pickAtProvider(page, karim);
    await page.waitForURL(`${intranet.url}/**`);
    await landsSignedIn(page, 'Karim BENALI');
    await page.getByText('Aucune conversation').waitFor();
    // The single-use handoff left the address bar at once.
    expect(page.url()).toBe(`${intranet.url}/`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('"Mon identité"', () => {
  it('shows the Pro Santé Connect profile beside the directory’s, differences in words, at 320 px', async () => {
    const context = await newContext(browser, { width: 320 });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(intranet.url);
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', PSC_BUTTON).click(),
    ]);
    await popup.waitForURL(`${psc.issuer}/**`);
    await pickAtProvider(popup, nadia);
    await untilClosed(popup);
    await landsSignedIn(page, 'Nadia COMPAREE');
    await page.getByRole('button', { name: 'Mon identité', exact: true }).click();
    const view = page.locator('relais-identity');
    const heading = page.getByRole('heading', { name: 'Mon identité', level: 1 });
    await heading.waitFor();
    expect(
      await heading.evaluate(
        (h) =>
          h.getRootNode() instanceof ShadowRoot &&
          (h.getRootNode() as ShadowRoot).activeElement === h,
      ),
    ).toBe(true);
    await expect.poll(() => shadowText(view)).toContain(nadia.rpps);
    expect(await shadowText(view)).toMatch(/Vérifiée par Pro Santé Connect le \d\d\/\d\d\/\d{2,4}/);
    // The directory's side: its profession, speciality and the hospital PSC does not name.
    const directory = view.locator('[part="directory"]');
    expect(await directory.textContent()).toContain('Médecin (10)');
    expect(await directory.textContent()).toContain('Médecine Générale (SM54)');
    expect(await directory.getByRole('listitem').textContent()).toMatch(
      /CENTRE HOSPITALIER DU LAC · FINESS 250000999 · ANNECY · Salarié\s*absent de Pro Santé Connect/,
    );
    // Pro Santé Connect's side: the same profession, the Cabinet du Parc the directory lacks.
    const fromPsc = view.locator('[part="psc"]');
    expect(await fromPsc.textContent()).toContain('Médecin (10)');
    expect(await fromPsc.getByRole('listitem').textContent()).toMatch(
      /CABINET DU PARC · FINESS 250000700 · Salarié\s*absent de l’annuaire/,
    );
    expect(await view.locator('[part="difference"]').count()).toBe(2);
    await view
      .getByRole('status')
      .getByText('2 différences entre l’annuaire et Pro Santé Connect.')
      .waitFor();
    // Verified: nothing to verify here.
    expect(await view.getByRole('button', { name: /Vérifier mon identité/ }).count()).toBe(0);
    // Mobile first: nothing wider than the screen.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    // English.
    await page.evaluate(() => document.querySelector('relais-app')?.setAttribute('locale', 'en'));
    await page.getByRole('heading', { name: 'My identity', level: 1 }).waitFor();
    await view.getByText('2 differences between the directory and Pro Santé Connect.').waitFor();
    expect(await fromPsc.textContent()).toContain('not in the directory');
    // Escape goes back to the conversations.
    await page.keyboard.press('Escape');
    await page.getByText('No conversations').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('"Vérifier mon identité avec Pro Santé Connect"', () => {
  it('verifies a signed-in account: the badge goes and the session carries on', async () => {
    const context = await newContext(browser, { width: 1200 });
    const { user, page, errors } = await unverifiedSignsIn(context, 'Iris', 'VERIFIEE');
    const badge = page.locator('relais-app header [part="unverified"]');
    await badge.waitFor();
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Vérifier mon identité avec Pro Santé Connect' }).click(),
    ]);
    await popup.waitForURL(`${psc.issuer}/**`);
    await pickAtProvider(popup, iris);
    await page.getByText('Votre identité est vérifiée par Pro Santé Connect.').waitFor();
    expect(await badge.count()).toBe(0);
    await landsSignedIn(page, 'Iris VERIFIEE');
    const account = await app.ctx.db('accounts').where({ id: user.account.id }).first();
    expect(account).toMatchObject({ identity_verified: true, professional_id: ids[iris.rpps] });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is offered in "Mon identité" too, which then shows the verification and the profile', async () => {
    const context = await newContext(browser, { width: 1200 });
    const { user, page, errors } = await unverifiedSignsIn(context, 'Yann', 'DEPUISLAVUE');
    await page.getByRole('button', { name: 'Mon identité', exact: true }).click();
    const view = page.locator('relais-identity');
    await view.locator('[part="unverified"]').waitFor();
    expect(await shadowText(view)).toContain('Ce compte n’est rattaché à aucune fiche');
    // One button: the banner gives way to the view's own.
    const verify = page.getByRole('button', {
      name: 'Vérifier mon identité avec Pro Santé Connect',
    });
    expect(await verify.count()).toBe(1);
    const [popup] = await Promise.all([context.waitForEvent('page'), verify.click()]);
    await popup.waitForURL(`${psc.issuer}/**`);
    await pickAtProvider(popup, yann);
    await page.getByText('Votre identité est vérifiée par Pro Santé Connect.').waitFor();
    await expect.poll(() => shadowText(view)).toMatch(/Vérifiée par Pro Santé Connect le/);
    expect(await view.locator('[part="psc"]').textContent()).toContain('CABINET DU PARC');
    expect(await shadowText(view)).toContain(yann.rpps);
    const account = await app.ctx.db('accounts').where({ id: user.account.id }).first();
    expect(account).toMatchObject({ identity_verified: true, professional_id: ids[yann.rpps] });
    expect(await page.locator('relais-app [part="unverified"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the invitation page', () => {
  it('offers Pro Santé Connect; the invited professional arrives verified, the conversation waiting', async () => {
    const context = await newContext(browser, { width: 1200 });
    const inviter = await createUser(app.ctx, { first_name: 'Alice', last_name: 'Invitante' });
    const waiting = await clinicalConversation(app.ctx, inviter.account.id, ids[romain.rpps]!);
    const { token } = await inviteAndToken(app, inviter.token, {
      professionalId: ids[romain.rpps],
      channel: 'email',
      address: 'romain.invite@example.test',
      conversationId: waiting.id,
    });
    const page = await context.newPage();
    await page.goto(`${app.url}/join/${token}`);
    await page.getByRole('link', PSC_BUTTON).click();
    await page.waitForURL(`${psc.issuer}/**`);
    await pickAtProvider(page, romain);
    await landsSignedIn(page, 'Romain INVITE');
    await page.locator('relais-conversation-list [part="item"]').first().waitFor();
    expect(await page.locator('relais-conversation-list [part="item"]').count()).toBe(1);
    expect(await page.locator('relais-app header [part="unverified"]').count()).toBe(0);
    expect(page.url()).toBe(`${app.url}/`);
    await context.close();
  });
});
