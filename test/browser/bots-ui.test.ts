import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { directoryProfessional } from '../invitations/fixtures';
import { ensureWebBuilt, launchBrowser, newContext, watchErrors } from './helpers';

/**
 * Bots in the interface (issue 12, docs/bots.md): a structure's administrator creates a
 * bot in Administration, creates a token whose secret is shown once (a reload shows only
 * its prefix), and revokes it; the bot's answer, posted through the API with that token,
 * carries the "Automatisé" badge, as does a conversation with the bot in the list. Real
 * server, Chromium.
 */
let app: TestApp;
let browser: Browser;
let manager: TestUser;
let structure: { id: number; name: string };
let conversationId: number;
const errors: string[][] = [];

async function signIn(page: Page, email: string, password: string) {
  await page.goto(app.url);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
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
  manager = await createUser(app.ctx, { first_name: 'Claire', last_name: 'Martin' });
  const colleague = await createUser(app.ctx, { first_name: 'Alice', last_name: 'Dubois' });
  await app.ctx
    .db('structure_members')
    .insert({ structure_id: structure.id, account_id: manager.account.id, role: 'manager' });
  // A question to the structure, which its bot (a member of it) will answer.
  const created = await call(app.server, 'POST', '/api/conversations', {
    token: colleague.token,
    payload: {
      subject: 'Résultat de biologie',
      recipients: [{ kind: 'structure', id: structure.id }],
      message: { id: crypto.randomUUID(), body: 'Le résultat est-il arrivé ?' },
    },
  });
  expect(created.statusCode, created.payload).toBe(201);
  conversationId = created.body.conversation.id;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  expect(errors.flat()).toEqual([]);
});

describe('bots in the interface', () => {
  it('a structure administrator creates a bot and a token shown once, the bot answers with its badge, the token is revoked', {
    timeout: 60_000,
  }, async () => {
    const context = await newContext(browser, { width: 1200 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const p = await context.newPage();
    errors.push(watchErrors(p));
    await signIn(p, manager.email, manager.password);
    await p.getByRole('link', { name: /Administration/ }).click();
    const bots = p.locator('relais-bots');
    await bots.getByRole('heading', { name: 'Bots', exact: true }).waitFor();
    await bots.getByText('Aucun bot pour l’instant.').waitFor();

    // Create: the owner is one of the structures the user administers.
    const form = bots.locator('form[part="create"]');
    expect(await form.getByLabel('Structure').locator('option').allTextContents()).toEqual([
      structure.name,
    ]);
    await form.getByLabel('Nom', { exact: true }).fill('Bot de garde');
    await form.getByLabel('Description (facultative)').fill('Résultats du laboratoire');
    await form.getByRole('button', { name: 'Créer le bot' }).click();
    await bots.getByText('Le bot Bot de garde est créé.', { exact: false }).waitFor();
    const card = bots.locator('li[part="bot"]', { hasText: 'Bot de garde' });
    const cardText = (await card.locator('h3').textContent()) ?? '';
    expect(cardText).toContain('Automatisé');
    expect(cardText).toContain('activé');
    expect(await card.textContent()).toContain(structure.name);
    const [row] = await app.ctx
      .db('bots as b')
      .join('accounts as a', 'a.id', 'b.account_id')
      .where('a.first_name', 'Bot de garde')
      .select('b.account_id', 'b.owner_structure_id');
    expect(Number(row.owner_structure_id)).toBe(structure.id);
    const botId = Number(row.account_id);

    // The webhook is configured through the API for now.
    expect(await card.locator('[part="webhook"]').textContent()).toContain('par l’API');

    // A token: no scope ticked is refused in place; then scopes, and the secret, once.
    const tokens = card.locator('[part="tokens"]');
    await tokens.getByRole('button', { name: 'Créer le jeton' }).click();
    await tokens.getByText('Cochez au moins une autorisation.').waitFor();
    await tokens.getByLabel('Libellé (facultatif)').fill('Laboratoire');
    await tokens.getByRole('checkbox', { name: /messages:write/ }).check();
    await tokens.getByRole('checkbox', { name: /conversations:read/ }).check();
    await tokens.getByRole('button', { name: 'Créer le jeton' }).click();
    const secretBox = tokens.locator('[part="secret"]');
    await secretBox.waitFor();
    expect(await secretBox.getByRole('alert').textContent()).toContain(
      'il ne sera plus jamais affiché',
    );
    const secret = await secretBox.locator('input').inputValue();
    expect(secret).toMatch(/^rlb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const prefix = secret.slice(0, 12);
    await secretBox.getByRole('button', { name: 'Copier' }).click();
    await secretBox.getByText('Copié.').waitFor();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const tokenItem = tokens.locator('li[part="token"]', { hasText: prefix });
    const tokenText = (await tokenItem.textContent()) ?? '';
    expect(tokenText).toContain('Laboratoire');
    expect(tokenText).toContain('conversations:read, messages:write');
    expect(tokenText).toContain('jamais');

    // The bot answers through the API with that token, for its structure.
    const answered = await call(
      app.server,
      'POST',
      `/api/conversations/${conversationId}/messages`,
      {
        token: secret,
        payload: { id: crypto.randomUUID(), body: 'Résultat disponible dans le DPI.' },
      },
    );
    expect(answered.statusCode, answered.payload).toBe(201);
    // And the manager writes to the bot itself: a conversation whose other participant is a bot.
    const direct = await call(app.server, 'POST', '/api/conversations', {
      token: manager.token,
      payload: {
        subject: 'Essai du bot',
        recipients: [{ kind: 'account', id: botId }],
        message: { id: crypto.randomUUID(), body: 'Bonjour' },
      },
    });
    expect(direct.statusCode, direct.payload).toBe(201);

    // Reload: the secret is gone for good, only the prefix stays.
    await p.reload();
    await p.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    const listItem = p.locator('relais-conversation-list [part="item"]', {
      hasText: 'Essai du bot',
    });
    expect(await listItem.locator('[part="bot"]').textContent()).toBe('Automatisé');
    const answer = p.locator('relais-conversation-list [part="item"]', {
      hasText: 'Résultat de biologie',
    });
    await answer.click();
    const message = p.locator('relais-conversation li', {
      hasText: 'Résultat disponible dans le DPI.',
    });
    await message.waitFor();
    const signature = message.locator('[part="signature"]');
    expect(await signature.textContent()).toContain('BOT DE GARDE');
    expect(await signature.locator('[part="bot"]').textContent()).toBe('Automatisé');
    // The colleague's question is not marked.
    const question = p.locator('relais-conversation li', { hasText: 'Le résultat est-il arrivé' });
    expect(await question.locator('[part="bot"]').count()).toBe(0);

    await p.getByRole('link', { name: /Administration/ }).click();
    const again = p.locator('relais-bots li[part="bot"]', { hasText: 'Bot de garde' });
    await again.getByRole('button', { name: 'Jetons et webhook' }).click();
    const item = again.locator('li[part="token"]', { hasText: prefix });
    await item.waitFor();
    expect(await again.locator('[part="secret"]').count()).toBe(0);
    expect(
      await p.locator('relais-bots').evaluate((el) => el.shadowRoot?.innerHTML ?? ''),
    ).not.toContain(secret.slice(12));
    // Used just now: its last use is shown.
    expect(await item.textContent()).not.toContain('jamais');

    // Revoke, after a confirmation: the token stops working.
    await item.getByRole('button', { name: `Révoquer le jeton ${prefix}` }).click();
    const dialog = p.getByRole('alertdialog', { name: `Révoquer le jeton ${prefix} ?` });
    await dialog.getByRole('button', { name: 'Révoquer' }).click();
    await p.getByText(`Le jeton ${prefix} est révoqué.`).waitFor();
    await expect.poll(() => item.textContent()).toContain('révoqué le');
    expect(await item.getByRole('button', { name: /Révoquer/ }).count()).toBe(0);
    const refused = await call(app.server, 'GET', '/api/conversations', { token: secret });
    expect(refused.statusCode).toBe(401);

    await context.close();
  });

  it('rename, disable and enable, a third token refused in place, delete after a confirmation; in English, "Bot"', {
    timeout: 60_000,
  }, async () => {
    const created = await call(app.server, 'POST', '/api/bots', {
      token: manager.token,
      payload: { name: 'Astreinte', structureId: structure.id },
    });
    expect(created.statusCode, created.payload).toBe(201);
    const botId: number = created.body.id;
    for (let i = 0; i < 2; i++) {
      const t = await call(app.server, 'POST', `/api/bots/${botId}/tokens`, {
        token: manager.token,
        payload: { scopes: ['messages:read'] },
      });
      expect(t.statusCode, t.payload).toBe(201);
    }
    const context = await newContext(browser, { width: 1200 });
    const p = await context.newPage();
    errors.push(watchErrors(p));
    await signIn(p, manager.email, manager.password);
    await p.getByRole('link', { name: /Administration/ }).click();
    const card = p.locator('relais-bots li[part="bot"]', { hasText: 'Astreinte' });

    await card.getByRole('button', { name: 'Renommer' }).click();
    await card.getByLabel('Nouveau nom').fill('Astreinte de nuit');
    await card.getByRole('button', { name: 'Enregistrer' }).click();
    await p.getByText('Le bot s’appelle désormais Astreinte de nuit.').waitFor();

    await card.getByRole('button', { name: 'Désactiver' }).click();
    await p.getByText('Astreinte de nuit est désactivé : ses jetons sont refusés.').waitFor();
    // The card re-renders from the reloaded list, just after the status line.
    await expect.poll(() => card.locator('h3').textContent()).toContain('désactivé');
    await card.getByRole('button', { name: 'Réactiver' }).click();
    await p.getByText('Astreinte de nuit est réactivé.').waitFor();

    // Two valid tokens already: the server's 409 is explained where the token was asked for.
    await card.getByRole('button', { name: 'Jetons et webhook' }).click();
    const tokens = card.locator('[part="tokens"]');
    await expect.poll(() => tokens.locator('li[part="token"]').count()).toBe(2);
    await tokens.getByRole('checkbox', { name: /messages:read/ }).check();
    await tokens.getByRole('button', { name: 'Créer le jeton' }).click();
    await expect
      .poll(() => tokens.locator('[part="error"]').textContent())
      .toContain('déjà deux jetons valides');
    expect(await tokens.locator('[part="secret"]').count()).toBe(0);

    await card.getByRole('button', { name: 'Supprimer' }).click();
    const dialog = p.getByRole('alertdialog', { name: 'Supprimer le bot Astreinte de nuit ?' });
    await dialog.getByRole('button', { name: 'Supprimer' }).click();
    await p.getByText('Le bot Astreinte de nuit est supprimé.').waitFor();
    await card.waitFor({ state: 'detached' });
    expect(await app.ctx.db('bots').where({ account_id: botId }).first()).toBeUndefined();
    await context.close();

    // In English: the screen and the badge.
    const en = await newContext(browser, { width: 1200, locale: 'en-GB' });
    const e = await en.newPage();
    errors.push(watchErrors(e));
    await e.goto(app.url);
    await e.getByLabel('E-mail address').fill(manager.email);
    await e.getByLabel('Password').fill(manager.password);
    await e.getByRole('button', { name: 'Sign in' }).click();
    const direct = e.locator('relais-conversation-list [part="item"]', { hasText: 'Essai du bot' });
    expect(await direct.locator('[part="bot"]').textContent()).toBe('Bot');
    await direct.click();
    expect(await e.locator('relais-conversation [part="header"] [part="bot"]').textContent()).toBe(
      'Bot',
    );
    await e.getByRole('link', { name: /Administration/ }).click();
    await e.locator('relais-bots').getByRole('heading', { name: 'Bots', exact: true }).waitFor();
    await e.locator('relais-bots').getByRole('button', { name: 'Tokens and webhook' }).waitFor();
    await en.close();
  });
});
