import type { Server } from 'node:http';
import type { Page } from 'playwright-core';
import { DEMO_INTEGRATION_SECRET } from '../../domain/config';
import type { AppContext } from '../../domain/context';
import { startIntranet } from '../../scripts/demo-intranet';
import { createUser, type TestUser } from '../helpers/server';

/** What psc.test.ts (the real flow) and psc-ui.test.ts (the screens alone) share. */

export const PSC_BUTTON = { name: 'Se connecter avec Pro Santé Connect', exact: true } as const;

/**
 * The demo intranet on another origin, whose single sign-on names nobody Relais knows (as
 * for a professional with no intranet account): <relais-app> falls back to its own
 * sign-in, where Pro Santé Connect is offered.
 */
export function startNobodyIntranet(
  relaisUrl: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  return startIntranet(
    {
      relaisUrl,
      integrationId: 'demo-intranet',
      secret: DEMO_INTEGRATION_SECRET,
      users: [{ sub: 'email:nobody@example.test', label: 'Personne' }],
    },
    port,
  );
}

export function closeIntranet(intranet: { server: Server } | undefined): Promise<void> {
  return new Promise((r) => (intranet ? intranet.server.close(() => r()) : r()));
}

/** An account whose identity is not verified (as one an invitation created). */
export async function createUnverifiedUser(
  ctx: AppContext,
  fields: { email: string; first_name: string; last_name: string },
): Promise<TestUser> {
  const user = await createUser(ctx, fields);
  await ctx.db('accounts').where({ id: user.account.id }).update({ identity_verified: false });
  return user;
}

/** The e-mail + password form of <relais-app> (or <relais-sign-in>). */
export async function signInWithPassword(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Adresse e-mail').fill(user.email);
  await page.getByLabel('Mot de passe').fill(user.password);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
}

/**
 * Resolves when a pop-up has closed, including when it closed already: the pop-up closes
 * itself as soon as the handoff is posted, which on a fast run happens before a listener
 * added afterwards would hear it.
 */
export function untilClosed(popup: Page): Promise<unknown> {
  return popup.isClosed() ? Promise.resolve() : popup.waitForEvent('close', { timeout: 15_000 });
}
