import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insKey } from '../../domain/patients';
import { DEMO_PASSWORD, seedDemo } from '../../scripts/demo/seed';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { startTestApp, type TestApp } from '../helpers/server';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

/**
 * The seed card end to end, in Chromium, against the real server and the demo cast
 * (DAC SESAN with members, testpmsesan with none, MSF with Mathilde).
 */
let database: TestDatabase;
let app: TestApp;
let port: number;
let env: NodeJS.ProcessEnv;
let browser: Browser;
let helene: BrowserContext;
let mathilde: BrowserContext;
let pageA: Page;
let pageB: Page;
const errors: string[] = [];

async function startApp(): Promise<TestApp> {
  return startTestApp({ database, env, server: { port } });
}

async function signIn(page: Page, url: string, email: string) {
  await page.goto(url);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

/** The result row whose name is exactly `name`. */
function entry(list: Locator, name: string): Locator {
  return list
    .locator('li.entry')
    .filter({ has: list.page().locator('.name').getByText(name, { exact: true }) });
}

/** A stored time as the seed shows it ("30/03/26 à 12:25:32"), in Paris. */
function parisStamp(at: Date): string {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', ...options }).format(at);
  const date = part({ day: '2-digit', month: '2-digit', year: '2-digit' });
  const time = part({ hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return `${date} à ${time}`;
}

beforeAll(async () => {
  [, port, database] = await Promise.all([ensureWebBuilt(), freePort(), createTestDatabase()]);
  env = { ALLOWED_ORIGINS: `http://127.0.0.1:${port}`, REDIS_PREFIX: testRedisPrefix() };
  app = await startApp();
  await seedDemo(app.ctx);
  browser = await launchBrowser();
  helene = await newContext(browser);
  mathilde = await newContext(browser, { width: 1200, height: 800 });
  pageA = await helene.newPage();
  pageB = await mathilde.newPage();
  errors.push(...[]);
  const a = watchErrors(pageA);
  const b = watchErrors(pageB);
  afterAll(() => {
    expect([...a, ...b]).toEqual([]);
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
});

describe('the seed flow', () => {
  it('creates a conversation with the recipient picker, live on the other side, answered for MSF', {
    timeout: 40_000,
  }, async () => {
    // Mathilde (MSF) is signed in from the start, on the desktop layout: what follows
    // reaches her live.
    await signIn(pageB, app.url, 'mathilde@demo.relais.test');
    await pageB.getByText('Aucune conversation').waitFor();
    await signIn(pageA, app.url, 'helene.ndiaye@demo.relais.test');
    await pageA.getByText('Aucune conversation').waitFor();
    await pageA.getByRole('button', { name: 'Nouvelle conversation' }).click();

    // S2: subject, patient, first message (with HTML that must stay text).
    await pageA.getByLabel('Objet').fill('Sortie de Mme D.');
    await pageA.getByLabel('Référence libre').check();
    await pageA.getByLabel('Référence du patient').fill('Mme D., chambre 12');
    await pageA
      .getByLabel('Message', { exact: true })
      .fill('Bonjour, <b>sortie</b> demain <img src=x onerror="window.__pwned=1">');

    // S4–S6: the three clearable fields, alone and combined.
    await pageA.getByRole('button', { name: 'Ajouter des destinataires' }).click();
    const picker = pageA.locator('relais-recipient-picker');
    const results = picker.getByRole('list', { name: 'Résultats' });
    await picker
      .getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' })
      .fill('dupont');
    const dupont = entry(results, 'Jean-François DUPONT');
    await dupont.waitFor();
    await dupont.getByText('Pas connecté depuis 30 jours').waitFor(); // S10

    // S14–S15: choosing him offers to invite him; invite at an address typed in.
    await dupont.locator('.pick').click();
    const prompt = picker.getByRole('alertdialog');
    await prompt
      .getByText(
        'Le destinataire n’a pas de compte ou ne s’est pas connecté depuis 30 jours, voulez-vous l’inviter ?',
      )
      .waitFor();
    await prompt.getByRole('button', { name: 'OUI' }).click();
    const invite = picker.locator('relais-invite');
    await invite.getByRole('heading', { name: 'Inviter un confrère' }).waitFor();
    await invite.getByLabel('Je connais les coordonnées du professionnel').check();
    await invite.getByLabel('Adresse e-mail ou numéro de mobile').fill('jf.dupont@example.test');
    await invite.getByLabel('Message personnel (facultatif)').fill('Rejoignez-nous sur Relais.');
    await invite.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await picker
      .getByRole('list', { name: 'Destinataires choisis' })
      .getByText('(invité)')
      .waitFor();
    await dupont.getByText('Invité').waitFor();
    await picker
      .getByRole('button', { name: 'Retirer Jean-François DUPONT des destinataires' })
      .click();

    // Suggestions by keyboard: arrow down, Enter.
    const profession = picker.getByRole('combobox', { name: 'Profession, spécialité' });
    await profession.fill('kiné');
    await picker
      .getByRole('option', { name: /Masseur-Kinésithérapeute/i })
      .first()
      .waitFor();
    await profession.press('ArrowDown');
    await expect
      .poll(() => profession.getAttribute('aria-activedescendant'))
      .toBe('s-profession-0');
    await profession.press('Enter');
    await expect.poll(() => profession.inputValue()).toMatch(/Kinésithérapeute/i);
    await dupont.waitFor();
    await picker
      .getByRole('button', { name: 'Effacer « Nom, prénom, identifiant structure »' })
      .click();
    await picker.getByRole('button', { name: 'Effacer « Profession, spécialité »' }).click();

    await picker.getByRole('combobox', { name: 'Ville, département' }).fill('Saint-Denis');
    const sesan = entry(results, 'DAC SESAN');
    const testpm = entry(results, 'testpmsesan');
    await sesan.waitFor();
    await testpm.waitFor();
    // S11: structures with professionals attached are bold.
    const weight = (l: typeof sesan) =>
      l.locator('.name').evaluate((e) => getComputedStyle(e).fontWeight);
    expect(Number(await weight(sesan))).toBeGreaterThanOrEqual(700);
    expect(Number(await weight(testpm))).toBeLessThan(700);
    // S12: the professionals attached to DAC SESAN.
    await sesan.getByRole('button', { name: 'Professionnels rattachés à DAC SESAN' }).click();
    await sesan.getByRole('list').getByText('Claire MARTIN').waitFor();
    await sesan.getByRole('list').getByText('Karim BENALI').waitFor();
    // S10: statuses beside each person.
    const claire = entry(results, 'Claire MARTIN');
    await claire.getByText('A un compte et l’utilise').waitFor();

    // S8: star Claire; favourites come first under a star.
    await claire.getByRole('button', { name: 'Ajouter Claire MARTIN aux favoris' }).click();
    const favourites = picker.getByRole('list', { name: 'Favoris' });
    await favourites.getByText('Claire MARTIN').waitFor();

    // S13: a structure with nobody attached warns.
    await testpm.locator('.pick').click();
    await picker.getByText(/Personne n’est rattaché à testpmsesan/).waitFor();
    await picker.getByRole('alertdialog').getByRole('button', { name: 'NON' }).click();
    await picker.getByRole('button', { name: 'Retirer testpmsesan des destinataires' }).click();
    await expect.poll(() => picker.getByText(/Personne n’est rattaché/).count()).toBe(0);

    // S9: save Claire and Karim as a group, then add the group in one tap.
    await claire.locator('.pick').click();
    await entry(results, 'Karim BENALI').locator('.pick').click();
    await picker.getByText(/Groupes de favoris/).click();
    await picker.getByPlaceholder('Nom du groupe').fill('Équipe SESAN');
    await picker.getByRole('button', { name: 'Enregistrer ces destinataires' }).click();
    await picker.getByRole('button', { name: 'Renommer le groupe Équipe SESAN' }).click();
    await picker.getByLabel('Nouveau nom du groupe Équipe SESAN').fill('Équipe SESAN 93');
    await picker.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await picker.getByRole('button', { name: 'Ajouter le groupe Équipe SESAN 93' }).waitFor();
    await picker.getByRole('button', { name: 'Retirer Claire MARTIN des destinataires' }).click();
    await picker.getByRole('button', { name: 'Retirer Karim BENALI des destinataires' }).click();
    await picker.getByRole('button', { name: 'Ajouter le groupe Équipe SESAN 93' }).click();
    const chips = picker.getByRole('list', { name: 'Destinataires choisis' });
    await chips.getByText('Claire MARTIN').waitFor();
    await chips.getByText('Karim BENALI').waitFor();
    await picker.getByRole('button', { name: 'Retirer Karim BENALI des destinataires' }).click();

    // S7: people and structures mixed; MSF by name.
    await picker.getByRole('button', { name: 'Effacer « Ville, département »' }).click();
    await picker.getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' }).fill('MSF');
    await entry(results, 'MSF').locator('.pick').click();
    await chips.getByText('MSF').waitFor();
    // Mathilde in person too: she will choose how to answer (S19).
    await picker
      .getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' })
      .fill('bernard');
    await entry(results, 'Mathilde BERNARD').locator('.pick').click();
    await chips.getByText('Mathilde BERNARD').waitFor();

    // S18: VALIDER brings the list back to the form.
    await picker.getByRole('button', { name: /VALIDER/ }).click();
    const form = pageA.locator('relais-new-conversation');
    await form.getByRole('list', { name: 'Destinataires choisis' }).getByText('MSF').waitFor();
    await pageA.getByRole('button', { name: 'Envoyer' }).click();

    // The conversation opens; the HTML is shown as text, never interpreted.
    const viewA = pageA.locator('relais-conversation');
    await viewA.getByRole('heading', { name: 'Sortie de Mme D.' }).waitFor();
    const bubble = viewA.locator('.bubble').first();
    await expect
      .poll(() => bubble.textContent())
      .toBe('Bonjour, <b>sortie</b> demain <img src=x onerror="window.__pwned=1">');
    expect(await bubble.locator('b, img').count()).toBe(0);
    expect(await pageA.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // Mathilde sees it arrive live, unread, without reloading anything.
    const item = pageB.locator('relais-conversation-list').getByRole('button', {
      name: /Sortie de Mme D\./,
    });
    await item.waitFor();
    await expect.poll(() => item.locator('[part="badge"]').textContent()).toBe('1');
    await expect
      .poll(() => pageB.locator('relais-app [part="tab-badge"]').textContent())
      .toMatch(/^1\s*non lus$/);
    // A message arriving while her list is open is delivered (her client acknowledges it)
    // but not read yet: Hélène sees a delivery receipt, then the read receipt.
    await viewA.getByLabel('Votre message').fill('Pouvez-vous passer demain matin ?');
    await viewA.getByRole('button', { name: 'Envoyer' }).click();
    const second = viewA.locator('li', { hasText: 'Pouvez-vous passer demain matin ?' });
    await second.getByText('Distribué à Mathilde BERNARD').waitFor();
    await expect.poll(() => item.locator('[part="badge"]').textContent()).toBe('2');
    await item.click();
    const viewB = pageB.locator('relais-conversation');
    await viewB.getByText(/Bonjour, <b>sortie<\/b> demain/).waitFor();
    await expect.poll(() => item.locator('[part="badge"]').count()).toBe(0);

    // S19: she answers on behalf of MSF.
    await viewB.getByLabel('Répondre en tant que').selectOption({ label: 'MSF' });
    await viewB.getByLabel('Votre message').fill('Bonjour, je m’en occupe.');
    await viewB.getByRole('button', { name: 'Envoyer' }).click();

    // S20: Hélène sees the seed's exact line, live; and her message was read.
    const reply = viewA.locator('li', { hasText: 'je m’en occupe' });
    await reply.waitFor();
    const line = await reply.locator('[part="signature"]').textContent();
    // The stored time, not today's date: the test holds across midnight.
    const stored = await app.ctx
      .db('messages')
      .where({ body: 'Bonjour, je m’en occupe.' })
      .first('created_at');
    expect(line).toBe(`MSF, expédié par MATHILDE le ${parisStamp(stored.created_at)}`);
    await second.getByText('Lu par Mathilde BERNARD').waitFor();
    expect(await second.getByText('Distribué à').count()).toBe(0);

    // The same line in English.
    await pageA.evaluate(() => document.querySelector('relais-app')!.setAttribute('locale', 'en'));
    await expect
      .poll(() => reply.locator('[part="signature"]').textContent())
      .toMatch(/^MSF, sent by Mathilde on \d{2}\/\d{2}\/\d{2} at \d{2}:\d{2}:\d{2}$/);
    await pageA.evaluate(() => document.querySelector('relais-app')!.setAttribute('locale', 'fr'));
  });

  it('links to the existing conversation with the same participants (S17)', async () => {
    // Escape goes back to the list, the focus on the conversation just left.
    await pageA.locator('relais-conversation').getByLabel('Votre message').press('Escape');
    await expect
      .poll(() =>
        pageA.evaluate(() => {
          let el: Element | null = document.activeElement;
          while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
          return el?.textContent ?? '';
        }),
      )
      .toContain('Sortie de Mme D.');
    await pageA.getByRole('button', { name: 'Nouvelle conversation' }).click();
    await pageA.getByRole('button', { name: 'Ajouter des destinataires' }).click();
    const picker = pageA.locator('relais-recipient-picker');
    // Claire is a favourite: listed first with nothing typed.
    await picker
      .getByRole('list', { name: 'Favoris' })
      .locator('.pick', { hasText: 'Claire MARTIN' })
      .click();
    await picker.getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' }).fill('MSF');
    const results = picker.getByRole('list', { name: 'Résultats' });
    await entry(results, 'MSF').locator('.pick').click();
    await picker
      .getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' })
      .fill('bernard');
    await entry(results, 'Mathilde BERNARD').locator('.pick').click();
    await picker.getByRole('button', { name: /VALIDER \(3\)/ }).click();
    await pageA.getByText('1 conversation existante avec ces participants').waitFor();
    await pageA
      .locator('relais-new-conversation')
      .getByRole('button', { name: 'Sortie de Mme D.' })
      .click();
    await pageA
      .locator('relais-conversation')
      .getByRole('heading', { name: 'Sortie de Mme D.' })
      .waitFor();
  });

  it('checks the INS key as it is typed and shows the patient on the conversation (S2)', async () => {
    await pageA.getByRole('button', { name: 'Retour aux conversations' }).click();
    await pageA.getByRole('button', { name: 'Nouvelle conversation' }).click();
    const form = pageA.locator('relais-new-conversation');
    await form.getByLabel('Objet').fill('Bilan cardiologique');
    await form.getByLabel('Identité INS').check();
    const nir = '2690299341732';
    const key = insKey(nir);
    const wrong = key === '00' ? '01' : '00';
    await form.getByLabel('Matricule INS').fill(`${nir} ${wrong}`);
    await form.getByText('Clé incorrecte : vérifiez la saisie.').waitFor();
    await form.getByLabel('Matricule INS').fill(`${nir} ${key}`);
    await expect.poll(() => form.getByText('Clé incorrecte').count()).toBe(0);
    await form.getByLabel('Nom de naissance').fill('DURAND');
    await form.getByLabel('Prénom', { exact: true }).fill('Jeanne');
    await form.getByLabel('Date de naissance').fill('1969-02-14');
    await form.getByLabel('Sexe').selectOption('F');
    await form.getByLabel('Message', { exact: true }).fill('ECG joint, à revoir ensemble.');
    await form.getByRole('button', { name: 'Ajouter des destinataires' }).click();
    await pageA
      .locator('relais-recipient-picker')
      .getByRole('list', { name: 'Favoris' })
      .locator('.pick', { hasText: 'Claire MARTIN' })
      .click();
    const picker = pageA.locator('relais-recipient-picker');
    await picker
      .getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' })
      .fill('testpm');
    await entry(picker.getByRole('list', { name: 'Résultats' }), 'testpmsesan')
      .locator('.pick')
      .click();
    await picker.getByRole('alertdialog').getByRole('button', { name: 'NON' }).click();
    await picker.getByRole('button', { name: /VALIDER/ }).click();
    await form.getByRole('button', { name: 'Envoyer' }).click();
    const view = pageA.locator('relais-conversation');
    await view.getByRole('heading', { name: 'Bilan cardiologique' }).waitFor();
    await view.getByText(`Patient : DURAND Jeanne, 14/02/1969 — INS ${nir}${key}`).waitFor();

    // S13/S14 inside the conversation: invite the structure nobody answers for, the
    // invitation tied to this conversation.
    await view.getByRole('button', { name: 'Inviter testpmsesan' }).click();
    await view.getByLabel('Je connais les coordonnées du professionnel').check();
    await view.getByLabel('Adresse e-mail ou numéro de mobile').fill('contact@testpm.example');
    await view.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await view.getByText('Invitation envoyée.').waitFor();
    const invitation = await app.ctx.db('invitations').orderBy('id', 'desc').first();
    expect(invitation.conversation_id).not.toBeNull();
  });

  it('catches up after the server restarts while the conversation is open', async () => {
    await pageA.getByRole('button', { name: 'Retour aux conversations' }).click();
    await pageA.getByRole('button', { name: /Sortie de Mme D\./ }).click();
    await pageA
      .locator('relais-conversation')
      .getByRole('heading', { name: 'Sortie de Mme D.' })
      .waitFor();
    const viewA = pageA.locator('relais-conversation');
    const conversationId = Number(
      await app.ctx
        .db('conversations')
        .where({ subject: 'Sortie de Mme D.' })
        .first('id')
        .then((r) => r.id),
    );
    await app.stop();
    await pageA.locator('relais-app').getByText('Connexion perdue, reconnexion…').waitFor();
    // Another node, same data, takes a message while the first is down.
    const other = await startTestApp({
      database,
      env: { ...env, ALLOWED_ORIGINS: env.ALLOWED_ORIGINS },
    });
    const mathildeToken = await other.ctx
      .db('accounts')
      .where({ email: 'mathilde@demo.relais.test' })
      .first('id');
    const { createSession } = await import('../../domain/accounts');
    const { token } = await createSession(other.ctx, mathildeToken.id, 'password');
    const res = await other.server.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { authorization: `Bearer ${token}` },
      payload: { id: crypto.randomUUID(), body: 'Envoyé pendant la coupure', onBehalfOf: null },
    });
    expect(res.statusCode).toBe(201);
    await other.stop();
    app = await startApp();
    await viewA.getByText('Envoyé pendant la coupure').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => pageA.locator('relais-app').getByText('Connexion perdue').count())
      .toBe(0);
  });
});
