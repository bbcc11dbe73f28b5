import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInvitationQueues } from '../../domain/invitations';
import { freePort } from '../helpers/ports';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { directoryProfessional } from '../invitations/fixtures';
import { type Joined, joinThrough } from '../invitations/identity-fixtures';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

/**
 * The Administration screens (docs/invitations.md, "Screens"): a structure's administrator
 * approves a pending membership request and the new member's open app shows the
 * structure's (old) conversation live, then loses it live when detached; an installation
 * administrator verifies a claimed identity. Real server, Chromium.
 */
const JOIN_PASSWORD = 'correct horse battery staple';
let app: TestApp;
let browser: Browser;
let manager: TestUser;
let admin: TestUser;
let newcomer: Joined & { email: string };
let claimant: Joined;
let structure: { id: number; name: string };
let oldConversation: number;
const errors: string[][] = [];

async function signIn(page: Page, email: string, password: string) {
  await page.goto(app.url);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

async function page(width = 390): Promise<Page> {
  const p = await (await newContext(browser, { width })).newPage();
  errors.push(watchErrors(p));
  return p;
}

beforeAll(async () => {
  const [, port] = await Promise.all([ensureWebBuilt(), freePort()]);
  app = await startTestApp({
    env: { ALLOWED_ORIGINS: `http://127.0.0.1:${port}` },
    server: { port },
  });
  const tag = randomBytes(3).toString('hex');
  const made = await directoryProfessional(app.ctx, { structureName: `DAC ${tag}` });
  structure = { id: made.structure.id, name: made.structure.name };
  const { professional } = await directoryProfessional(app.ctx, {
    firstName: 'Romain',
    lastName: 'LEGER',
  });
  manager = await createUser(app.ctx, { first_name: 'Claire', last_name: 'Martin' });
  admin = await createUser(app.ctx, { first_name: 'Ada', last_name: 'Admin', is_admin: true });
  const colleague = await createUser(app.ctx, { first_name: 'Alice', last_name: 'Dubois' });
  await app.ctx
    .db('structure_members')
    .insert({ structure_id: structure.id, account_id: manager.account.id, role: 'manager' });

  // A conversation the structure received long before anyone joins: the client's catch-up
  // (activity since its watermark) would never bring it.
  const created = await call(app.server, 'POST', '/api/conversations', {
    token: colleague.token,
    payload: {
      subject: 'Dossier ancien',
      recipients: [{ kind: 'structure', id: structure.id }],
      message: { id: crypto.randomUUID(), body: 'Pouvez-vous passer demain ?' },
    },
  });
  expect(created.statusCode, created.payload).toBe(201);
  oldConversation = created.body.conversation.id;
  await app.ctx
    .db('conversations')
    .where({ id: oldConversation })
    .update({ last_activity_at: app.ctx.db.raw("now() - interval '3 days'") });

  const joined = await joinThrough(app, manager.token, {
    structureId: structure.id,
    channel: 'email',
    address: `nouveau-${tag}@example.test`,
  });
  const row = await app.ctx.db('accounts').where({ id: joined.accountId }).first('email');
  newcomer = { ...joined, email: row.email };
  // Manager and newcomer talk in person: the manager's list marks the newcomer.
  const welcome = await call(app.server, 'POST', '/api/conversations', {
    token: manager.token,
    payload: {
      subject: 'Bienvenue',
      recipients: [{ kind: 'account', id: joined.accountId }],
      message: { id: crypto.randomUUID(), body: 'Bienvenue parmi nous.' },
    },
  });
  expect(welcome.statusCode, welcome.payload).toBe(201);
  claimant = await joinThrough(
    app,
    colleague.token,
    { professionalId: professional.id, channel: 'email', address: `romain-${tag}@example.test` },
    { firstName: 'Romain' },
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await closeInvitationQueues(app.ctx);
  await app?.stop();
  expect(errors.flat()).toEqual([]);
});

describe('administration', () => {
  it('a structure administrator approves a request: the member sees the structure’s conversation live, then loses it live', {
    timeout: 40_000,
  }, async () => {
    const member = await page();
    await signIn(member, newcomer.email, JOIN_PASSWORD);
    const memberList = member.locator('relais-conversation-list [part="item"]');
    await memberList.filter({ hasText: 'Bienvenue' }).waitFor();
    expect(await memberList.count()).toBe(1);
    // Nothing to administer: no Administration tab.
    expect(await member.getByRole('link', { name: /Administration/ }).count()).toBe(0);

    const boss = await page(1200);
    await signIn(boss, manager.email, manager.password);
    const welcome = boss.locator('relais-conversation-list [part="item"]', {
      hasText: 'Bienvenue',
    });
    expect(await welcome.locator('[part="unverified"]').textContent()).toBe(
      'identité non vérifiée',
    );
    const tab = boss.getByRole('link', { name: /Administration/ });
    await expect.poll(() => tab.textContent()).toMatch(/1\s*en attente/);
    await tab.click();
    const item = boss.locator('relais-membership-requests li[part="item"]');
    await expect.poll(() => item.count()).toBe(1);
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Nouveau Inscrit');
    expect(text).toContain('identité non vérifiée');
    expect(text).toContain(structure.name);
    expect(text).toContain('de Claire Martin');

    // Cancel first: Escape closes the dialog, nothing is decided.
    await item
      .getByRole('button', { name: `Approuver Nouveau Inscrit pour ${structure.name}` })
      .click();
    const dialog = boss.getByRole('alertdialog', {
      name: `Rattacher Nouveau Inscrit à ${structure.name} ?`,
    });
    await dialog.waitFor();
    await boss.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await item.count()).toBe(1);

    await item.getByRole('button', { name: /^Approuver/ }).click();
    await dialog.getByRole('button', { name: 'Approuver' }).click();
    await boss.getByText(`Nouveau Inscrit est rattaché·e à ${structure.name}.`).waitFor();
    await boss.getByText('Aucune demande en attente.').waitFor();
    await expect.poll(() => tab.textContent()).not.toMatch(/en attente/);

    // The member's open app shows the old conversation without a reload.
    const listed = member.locator('relais-conversation-list [part="item"]', {
      hasText: 'Dossier ancien',
    });
    await listed.waitFor();
    await listed.click();
    await member
      .locator('relais-conversation [part="message"]', { hasText: 'Pouvez-vous passer demain ?' })
      .waitFor();

    // Detached while reading it: told so, and the list drops it.
    const detached = await call(
      app.server,
      'DELETE',
      `/api/structures/${structure.id}/members/${newcomer.accountId}`,
      { token: manager.token },
    );
    expect(detached.statusCode).toBe(204);
    await member
      .getByText('Vous n’avez plus accès à cette conversation', { exact: false })
      .waitFor();
    await listed.waitFor({ state: 'detached' });
  });

  it('an installation administrator verifies a claimed identity', { timeout: 30_000 }, async () => {
    const p = await page();
    await signIn(p, admin.email, admin.password);
    await p.getByRole('link', { name: /Administration/ }).click();
    const section = p.locator('relais-identity-reviews');
    await section.getByRole('heading', { name: 'Identités à vérifier' }).waitFor();
    const item = section.locator('li[part="item"]', { hasText: 'Romain Inscrit' });
    await item.waitFor();
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Romain LEGER');
    expect(text).toMatch(/RPPS\s+8/);
    expect(text).toContain('adresse saisie par l’invitant');
    // The structure invitation's account claims nothing: listed, no buttons.
    const unclaimed = section.locator('li[part="item"]', { hasText: 'Nouveau Inscrit' });
    await unclaimed.waitFor();
    expect(await unclaimed.getByRole('button').count()).toBe(0);

    await item.getByRole('button', { name: 'Vérifier l’identité de Romain Inscrit' }).click();
    const dialog = p.getByRole('alertdialog', {
      name: 'Confirmer que Romain Inscrit est Romain LEGER',
      exact: false,
    });
    await dialog.getByRole('button', { name: 'Vérifier' }).click();
    await p.getByText('L’identité de Romain Inscrit est vérifiée.').waitFor();
    await item.waitFor({ state: 'detached' });
    const account = await app.ctx.db('accounts').where({ id: claimant.accountId }).first();
    expect(account).toMatchObject({
      identity_verified: true,
      identity_verified_by: admin.account.id,
    });
    expect(account.professional_id).not.toBeNull();
  });
});
