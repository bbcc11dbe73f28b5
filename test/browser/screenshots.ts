/**
 * Takes the screenshots of docs/screenshots/ (mobile 390 px and desktop 1280 px), over a
 * throw-away database loaded with the demo dataset, in Debian's Chromium:
 *
 *   npx tsx test/browser/screenshots.ts
 *
 * Not part of the test suite. Needs PostgreSQL and Redis like the tests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createSession } from '../../domain/accounts';
import { DEMO_INTEGRATION_SECRET, loadConfig } from '../../domain/config';
import { closeContext, createContext } from '../../domain/context';
import { migrate } from '../../domain/db';
import { DEMO_PASSWORD, seedDemo } from '../../scripts/demo/seed';
import { startIntranet } from '../../scripts/demo-intranet';
import { createServer } from '../../server/app';
import { adminQuery, baseUrl } from '../helpers/pg-admin';
import { freePort } from '../helpers/ports';
import { ensureWebBuilt, launchBrowser, newContext } from './helpers';

const out = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(out, { recursive: true });

const name = `relais_shots_${randomBytes(4).toString('hex')}`;
const [port, intranetPort] = [await freePort(), await freePort()];
await ensureWebBuilt();
await adminQuery(`CREATE DATABASE "${name}"`);
const config = loadConfig({
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  PORT: String(port),
  DATABASE_URL: baseUrl(name),
  REDIS_PREFIX: name,
  ALLOWED_ORIGINS: `http://127.0.0.1:${port},http://127.0.0.1:${intranetPort}`,
});
const ctx = createContext(config);
const server = await createServer(ctx, { port });
const browser = await launchBrowser();
const url = `http://127.0.0.1:${port}`;
let intranet: Awaited<ReturnType<typeof startIntranet>> | null = null;

async function api(token: string, method: string, path: string, payload?: object) {
  const res = await server.inject({
    method,
    url: path,
    payload,
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.payload}`);
  return JSON.parse(res.payload || 'null');
}

async function tokenOf(email: string): Promise<string> {
  const account = await ctx.db('accounts').where({ email }).first('id');
  return (await createSession(ctx, account.id, 'password')).token;
}

async function signIn(page: Page, email: string) {
  await page.goto(url);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

const shot = (page: Page, file: string) =>
  page.screenshot({ path: `${out}${file}`, fullPage: false });

try {
  await migrate(ctx.db);
  await seedDemo(ctx);
  await server.start();

  // A conversation like the seed card's: Hélène writes to Claire and MSF; Mathilde answers
  // on behalf of MSF; Claire answers in person.
  const helene = await tokenOf('helene.ndiaye@demo.relais.test');
  const mathilde = await tokenOf('mathilde@demo.relais.test');
  const claire = await tokenOf('claire.martin@demo.relais.test');
  const ids = async (sql: string, value: string) =>
    (await ctx.db.raw(sql, [value])).rows[0].id as number;
  const claireId = await ids(
    `SELECT p.id FROM professionals p JOIN accounts a ON a.professional_id = p.id WHERE a.email = ?`,
    'claire.martin@demo.relais.test',
  );
  const msfId = await ids('SELECT id FROM structures WHERE name = ?', 'MSF');
  const { conversation } = await api(helene, 'POST', '/api/conversations', {
    subject: 'Sortie de Mme D. — suivi à domicile',
    patient: { reference: 'Mme D., chambre 12' },
    recipients: [
      { kind: 'professional', id: claireId },
      { kind: 'structure', id: msfId },
    ],
    message: {
      id: randomUUID(),
      body: 'Bonjour, Mme D. sort demain matin. Pouvez-vous organiser le passage infirmier ?',
    },
  });
  await api(mathilde, 'POST', `/api/conversations/${conversation.id}/messages`, {
    id: randomUUID(),
    body: 'Bonjour, c’est noté : passage prévu demain à 10 h.',
    onBehalfOf: msfId,
  });
  await api(claire, 'POST', `/api/conversations/${conversation.id}/messages`, {
    id: randomUUID(),
    body: 'Merci. Je passerai la voir en fin de semaine.',
  });
  await api(claire, 'POST', '/api/conversations', {
    subject: 'Réunion de coordination jeudi',
    recipients: [{ kind: 'structure', id: msfId }],
    message: { id: randomUUID(), body: 'Ordre du jour en pièce jointe.' },
  }).catch(() => undefined);

  // Mobile.
  const phone = await newContext(browser, { width: 390, height: 844 });
  const mobile = await phone.newPage();
  await mobile.goto(url);
  await mobile.getByLabel('Adresse e-mail').waitFor();
  await shot(mobile, 'mobile-sign-in.png');
  await signIn(mobile, 'helene.ndiaye@demo.relais.test');
  await mobile.getByText('Sortie de Mme D.').first().waitFor();
  await shot(mobile, 'mobile-discussion.png');
  await mobile.getByRole('button', { name: /Sortie de Mme D\./ }).click();
  await mobile
    .locator('relais-conversation')
    .getByText(/expédié par MATHILDE/)
    .waitFor();
  await shot(mobile, 'mobile-conversation.png');
  await mobile.getByRole('button', { name: 'Retour aux conversations' }).click();
  await mobile.getByRole('button', { name: 'Nouvelle conversation' }).click();
  await mobile.getByRole('button', { name: 'Ajouter des destinataires' }).click();
  const picker = mobile.locator('relais-recipient-picker');
  await picker.getByRole('combobox', { name: 'Ville, département' }).fill('Saint-Denis');
  await picker
    .getByRole('list', { name: 'Résultats' })
    .getByText('DAC SESAN', { exact: true })
    .waitFor();
  await picker.getByRole('option', { name: 'Saint-Denis (93)' }).click();
  await picker
    .getByRole('list', { name: 'Résultats' })
    .getByText('testpmsesan', { exact: true })
    .waitFor();
  await picker
    .getByRole('list', { name: 'Résultats' })
    .getByText('Karim BENALI', { exact: true })
    .click();
  await mobile.setViewportSize({ width: 390, height: 1180 });
  await shot(mobile, 'mobile-recipient-picker.png');
  await phone.close();

  // Desktop: the list beside the open conversation; the embedded intranet page.
  const wide = await newContext(browser, { width: 1280, height: 800 });
  const desktop = await wide.newPage();
  await signIn(desktop, 'mathilde@demo.relais.test');
  await desktop.getByRole('button', { name: /Sortie de Mme D\./ }).click();
  await desktop
    .locator('relais-conversation')
    .getByText(/expédié par MATHILDE/)
    .waitFor();
  await shot(desktop, 'desktop-conversation.png');
  // A new conversation for MSF to the same people: the S17 link.
  await desktop.getByRole('button', { name: 'Nouvelle conversation' }).click();
  const form = desktop.locator('relais-new-conversation');
  await form.getByLabel('Écrire en tant que').selectOption({ label: 'MSF' });
  await form.getByLabel('Objet').fill('Passage infirmier de demain');
  await form.getByRole('button', { name: 'Ajouter des destinataires' }).click();
  const chooser = desktop.locator('relais-recipient-picker');
  const found = chooser.getByRole('list', { name: 'Résultats' });
  await chooser
    .getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' })
    .fill('ndiaye');
  await found.getByText("Hélène N'DIAYE", { exact: true }).click();
  await chooser
    .getByRole('searchbox', { name: 'Nom, prénom, identifiant structure' })
    .fill('martin');
  await found.getByText('Claire MARTIN', { exact: true }).click();
  await chooser.getByRole('button', { name: /VALIDER/ }).click();
  await form.getByText('1 conversation existante avec ces participants').waitFor();
  await shot(desktop, 'desktop-new-conversation.png');
  intranet = await startIntranet(
    {
      relaisUrl: url,
      integrationId: 'demo-intranet',
      secret: DEMO_INTEGRATION_SECRET,
      users: [{ sub: 'email:claire.martin@demo.relais.test', label: 'Claire MARTIN' }],
    },
    intranetPort,
  );
  const embedded = await wide.newPage();
  await embedded.goto(intranet.url);
  await embedded.getByText('Sortie de Mme D.').first().waitFor();
  await shot(embedded, 'desktop-intranet-embed.png');
  await wide.close();
  process.stdout.write(`Screenshots written to ${out}\n`);
} finally {
  await browser.close();
  await new Promise((r) => (intranet ? intranet.server.close(r) : r(null)));
  await server.stop({ timeout: 1000 });
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await ctx.redis.del(...keys.map((k) => k.slice(name.length + 1)));
  } while (cursor !== '0');
  await closeContext(ctx);
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
