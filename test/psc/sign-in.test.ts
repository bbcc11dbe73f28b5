import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeInvitationQueues } from '../../domain/invitations';
import type { PscProfessional } from '../../scripts/psc/local-provider';
import { call, createUser } from '../helpers/server';
import { clinicalConversation } from '../invitations/fixtures';
import { inviteAndToken, listedIds } from '../invitations/identity-fixtures';
import {
  browserCookieOf,
  directoryEntry,
  finishFlow,
  newRpps,
  outcome,
  type PscBed,
  runFlow,
  startFlow,
  startPscBed,
  throughProvider,
} from './helpers';

/**
 * Issue 16: signing in with Pro Santé Connect against a local provider shaped like it
 * (scripts/psc/local-provider.ts), through the real routes, as a browser would: start,
 * the provider, the callback, then the page exchanging its handoff code for a session.
 */
const person = (firstName: string, lastName: string): PscProfessional => ({
  rpps: newRpps(),
  firstName,
  lastName,
  professionCode: '10',
  specialityCode: 'SM54',
  activities: [{ raisonSocialeSite: 'CABINET DU PARC', numeroFinessSite: '250000700' }],
});

const newcomer = person('Lucie', 'NOUVELLE');
const regular = person('Bruno', 'HABITUE');
const stranger = person('Inconnu', 'HORSANNUAIRE');
const taken = person('Paul', 'DEJALIE');
const free = person('Iris', 'VERIFIEE');
const invited = person('Romain', 'INVITE');
const quitter = person('Sam', 'SORTANT');
const elsewhere = person('Eve', 'AUTRE');
const changed = person('Marc', 'RECONVERTI');
const victim = person('Vera', 'CIBLE');

let bed: PscBed;
const ids: Record<string, number> = {};

beforeAll(async () => {
  bed = await startPscBed([
    newcomer,
    regular,
    stranger,
    taken,
    free,
    invited,
    quitter,
    elsewhere,
    changed,
    victim,
  ]);
  for (const p of [newcomer, regular, taken, free, invited, quitter, elsewhere, victim]) {
    ids[p.rpps] = await directoryEntry(bed.app.ctx, p);
  }
  // The directory still has him as a physiotherapist; PSC says doctor.
  ids[changed.rpps] = await directoryEntry(bed.app.ctx, changed, { professionCode: '70' });
});
afterAll(async () => {
  await closeInvitationQueues(bed.app.ctx);
  await bed.stop();
});
beforeEach(() => {
  bed.psc.misbehave = {};
});

async function exchange(handoff: string | null, token?: string) {
  return call(bed.app.server, 'POST', '/api/auth/psc/exchange', { payload: { handoff }, token });
}

describe('GET /api/auth/methods', () => {
  it('tells the sign-in screen that Pro Santé Connect is offered', async () => {
    const res = await call(bed.app.server, 'GET', '/api/auth/methods');
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ password: true, psc: true });
  });
});

describe('a successful sign-in', () => {
  it('creates the account of a professional new to Relais, bound to the directory and verified', async () => {
    const flow = await runFlow(bed, newcomer.rpps);
    expect(flow.error).toBeNull();
    expect(String(flow.callback.headers.location)).toMatch(
      new RegExp(`^${bed.publicUrl}/app#relais-psc=[A-Za-z0-9_-]+$`),
    );
    const session = await exchange(flow.handoff);
    expect(session.statusCode, session.payload).toBe(201);
    expect(session.body).toMatchObject({
      token: expect.stringMatching(/^rls_/),
      account: {
        firstName: 'Lucie',
        lastName: 'NOUVELLE',
        professionalId: ids[newcomer.rpps],
        identityVerified: true,
      },
    });
    const me = await call(bed.app.server, 'GET', '/api/me', { token: session.body.token });
    expect(me.body).toMatchObject({
      identityVerified: true,
      identityVerificationMethod: 'pro-sante-connect',
      identityVerifiedAt: expect.any(String),
      directoryIdentity: { nationalId: `8${newcomer.rpps}`, professionCode: '10', places: [] },
      pscProfile: {
        exercices: [
          {
            codeProfession: '10',
            profession: 'Médecin',
            codeSavoirFaire: 'SM54',
            savoirFaire: 'Médecine Générale',
            activities: [expect.objectContaining({ raisonSocialeSite: 'CABINET DU PARC' })],
          },
        ],
        checkedAt: expect.any(String),
      },
    });
    const account = await bed.app.ctx.db('accounts').where({ id: session.body.account.id }).first();
    expect(account.identity_verification_method).toBe('pro-sante-connect');
    const stored = await bed.app.ctx.db('sessions').where({ account_id: account.id }).first();
    expect(stored.method).toBe('psc');
  });

  it('signs in as the account already bound to that professional', async () => {
    const existing = await createUser(bed.app.ctx, { professional_id: ids[regular.rpps] });
    const flow = await runFlow(bed, regular.rpps);
    const session = await exchange(flow.handoff);
    expect(session.statusCode).toBe(201);
    expect(session.body.account.id).toBe(existing.account.id);
    expect(
      await bed.app.ctx.db('accounts').where({ professional_id: ids[regular.rpps] }),
    ).toHaveLength(1);
  });

  it('answers a pop-up with a page whose script posts the handoff to the opener', async () => {
    const flow = await runFlow(bed, regular.rpps, {
      mode: 'popup',
      returnTo: 'http://localhost:3001/intranet',
    });
    expect(flow.callback.statusCode).toBe(200);
    expect(flow.callback.headers['content-security-policy']).toContain("script-src 'self'");
    expect(flow.callback.payload).toContain('<script src="/auth/psc/handoff.js"></script>');
    expect(flow.callback.payload).toContain('data-target-origin="http://localhost:3001"');
    const handoff = /data-handoff="([^"]+)"/.exec(flow.callback.payload)?.[1];
    expect((await exchange(handoff!)).statusCode).toBe(201);
    const script = await bed.app.server.inject('/auth/psc/handoff.js');
    expect(script.statusCode).toBe(200);
    expect(script.payload).toContain("type: 'relais:psc'");
    expect(script.payload).toContain('postMessage(message, d.targetOrigin)');
  });

  it('a handoff code works once', async () => {
    const flow = await runFlow(bed, regular.rpps);
    expect((await exchange(flow.handoff)).statusCode).toBe(201);
    const again = await exchange(flow.handoff);
    expect(again.statusCode).toBe(410);
    expect(again.body.message).toMatch(/already used or has expired/);
  });
});

describe('what is refused', () => {
  const refused = async (rpps: string, code: string, text: RegExp) => {
    const flow = await runFlow(bed, rpps);
    expect(flow.handoff).toBeNull();
    expect(flow.error).toBe(code);
    // The pop-up shows the same refusal in words.
    const popup = await runFlow(bed, rpps, { mode: 'popup' });
    expect(popup.callback.statusCode).toBe(400);
    expect(popup.callback.payload).toMatch(text);
    expect(popup.callback.payload).toContain(`data-code="${code}"`);
  };

  it('a weaker authentication level (acr eidas0)', async () => {
    bed.psc.misbehave = { acr: 'eidas0' };
    await refused(regular.rpps, 'low-acr', /n’a pas confirmé une authentification forte/);
  });

  it('no authentication level at all', async () => {
    bed.psc.misbehave = { acr: null };
    await refused(regular.rpps, 'low-acr', /eidas1/);
  });

  it('a userinfo whose signature does not verify', async () => {
    bed.psc.misbehave = { badUserinfoSignature: true };
    await refused(regular.rpps, 'bad-signature', /pas une signature valide/);
  });

  it('an ID token from another issuer', async () => {
    bed.psc.misbehave = { wrongIssuer: true };
    await refused(regular.rpps, 'wrong-issuer', /ne vient pas du fournisseur/);
  });

  it('an ID token for another client', async () => {
    bed.psc.misbehave = { wrongAudience: true };
    await refused(regular.rpps, 'wrong-audience', /destinée à un autre service/);
  });

  it('an ID token carrying another nonce', async () => {
    bed.psc.misbehave = { wrongNonce: true };
    await refused(regular.rpps, 'nonce-mismatch', /ne correspond pas à cette connexion/);
  });

  it('a replayed code', async () => {
    const first = await runFlow(bed, regular.rpps);
    expect((await exchange(first.handoff)).statusCode).toBe(201);
    // A new sign-in's state, with the code already used.
    const start = await startFlow(bed);
    const fresh = await throughProvider(bed, String(start.headers.location), regular.rpps);
    const replay = await bed.app.server.inject({
      url: `/auth/psc/callback?code=${first.query.get('code')}&state=${fresh.get('state')}&iss=${encodeURIComponent(bed.psc.issuer)}`,
      headers: { cookie: browserCookieOf(start) },
    });
    expect(
      new URLSearchParams(String(replay.headers.location).split('#')[1]).get('relais-psc-error'),
    ).toBe('code-rejected');
  });

  it('a state that is unknown, expired or already used', async () => {
    const first = await runFlow(bed, regular.rpps);
    expect(first.handoff).not.toBeNull();
    const again = await bed.app.server.inject(`/auth/psc/callback?${first.query}`);
    expect(again.statusCode).toBe(400);
    expect(again.payload).toContain('a expiré ou a déjà servi');
    const forged = await bed.app.server.inject('/auth/psc/callback?code=abc&state=forged-state');
    expect(forged.statusCode).toBe(400);
    expect(forged.payload).toContain('Recommencez');
  });

  it('an RPPS that is not in the directory', async () => {
    await refused(stranger.rpps, 'unknown-rpps', /n’est pas dans l’annuaire de Relais/);
    expect(await bed.app.ctx.db('accounts').where({ first_name: 'Inconnu' })).toHaveLength(0);
  });

  it('a sign-in cancelled at the provider (error=access_denied)', async () => {
    const cancel = async (params: Record<string, string>) => {
      const start = await startFlow(bed, params, '203.0.113.50'); // its own start budget
      expect(start.statusCode).toBe(302);
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      const query = new URLSearchParams({
        error: 'access_denied',
        error_description: 'The user cancelled',
        state,
        iss: bed.psc.issuer,
      });
      return bed.app.server.inject({
        url: `/auth/psc/callback?${query}`,
        headers: { cookie: browserCookieOf(start) },
      });
    };
    const redirect = await cancel({});
    expect(redirect.statusCode).toBe(302);
    expect(String(redirect.headers.location)).toBe(`${bed.publicUrl}/app#relais-psc-error=denied`);
    const popup = await cancel({ mode: 'popup' });
    expect(popup.statusCode).toBe(400);
    expect(popup.payload).toContain('data-code="denied"');
    expect(popup.payload).toContain('La connexion a été annulée sur Pro Santé Connect.');
    const english = await cancel({ mode: 'popup', lang: 'en' });
    expect(english.payload).toContain('The sign-in was cancelled on Pro Santé Connect.');
  });

  it('a returnTo on an origin that is neither Relais nor an allowed intranet', async () => {
    const res = await startFlow(bed, { returnTo: 'https://evil.example/steal' });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.payload).message).toMatch(/returnTo.*ALLOWED_ORIGINS/);
  });
});

describe('the profile Pro Santé Connect gives', () => {
  it('is kept beside the directory’s, and a difference is logged', async () => {
    const warn = vi.spyOn(bed.app.ctx.logger, 'warn');
    const flow = await runFlow(bed, changed.rpps);
    const session = await exchange(flow.handoff);
    const me = await call(bed.app.server, 'GET', '/api/me', { token: session.body.token });
    expect(me.body.directoryIdentity.professionCode).toBe('70');
    expect(me.body.pscProfile.exercices[0].codeProfession).toBe('10');
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({
        accountId: session.body.account.id,
        psc: expect.objectContaining({ professions: ['10'] }),
      }),
      'Pro Santé Connect profile differs from the directory',
    );
    warn.mockRestore();
  });
});

describe('"Vérifier mon identité" (intent)', () => {
  it('binds the verified RPPS to the signed-in account', async () => {
    const user = await createUser(bed.app.ctx, { first_name: 'Iris', last_name: 'Verifiee' });
    const intent = await call(bed.app.server, 'POST', '/api/auth/psc/intent', {
      token: user.token,
    });
    expect(intent.statusCode).toBe(201);
    const flow = await runFlow(bed, free.rpps, { intent: intent.body.intent });
    const session = await exchange(flow.handoff, user.token);
    expect(session.body.account).toMatchObject({
      id: user.account.id,
      professionalId: ids[free.rpps],
      identityVerified: true,
    });
    // The intent is used up.
    const reuse = await startFlow(bed, { intent: intent.body.intent });
    expect(
      new URLSearchParams(String(reuse.headers.location).split('#')[1]).get('relais-psc-error'),
    ).toBe('intent-expired');
  });

  it('refuses an RPPS already bound to another account, and changes nothing', async () => {
    await createUser(bed.app.ctx, { professional_id: ids[taken.rpps] });
    const other = await createUser(bed.app.ctx);
    const intent = await call(bed.app.server, 'POST', '/api/auth/psc/intent', {
      token: other.token,
    });
    const flow = await runFlow(bed, taken.rpps, { intent: intent.body.intent, mode: 'popup' });
    expect(flow.callback.statusCode).toBe(400);
    expect(flow.callback.payload).toContain('déjà lié à un autre compte Relais');
    const after = await bed.app.ctx.db('accounts').where({ id: other.account.id }).first();
    expect(after.professional_id).toBeNull();
  });
});

describe('links sent to someone else (cross-site request forgery)', () => {
  it('a callback link opened in another browser signs nobody in', async () => {
    for (const cookie of ['', 'relais_psc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      // The attacker starts a sign-in as themself and stops before Relais's callback...
      const start = await startFlow(bed, {}, '198.51.100.61');
      const query = await throughProvider(bed, String(start.headers.location), regular.rpps);
      // ...then sends that link to a victim, whose browser has no (or another) cookie.
      const victim = await bed.app.server.inject({
        url: `/auth/psc/callback?${query}`,
        headers: cookie ? { cookie } : {},
      });
      const hash = new URLSearchParams(String(victim.headers.location).split('#')[1]);
      expect(hash.get('relais-psc')).toBeNull();
      expect(hash.get('relais-psc-error')).toBe('other-browser');
    }
  });

  it('a link to another account’s verification binds nothing to that account', async () => {
    // The attacker, signed in to an unverified account, asks to verify it...
    const attacker = await createUser(bed.app.ctx, { first_name: 'Mallory', last_name: 'X' });
    await bed.app.ctx
      .db('accounts')
      .where({ id: attacker.account.id })
      .update({ identity_verified: false });
    const intent = await call(bed.app.server, 'POST', '/api/auth/psc/intent', {
      token: attacker.token,
    });
    // ...and the victim, a real professional, completes it in their own browser.
    const start = await startFlow(bed, { intent: intent.body.intent }, '198.51.100.62');
    const flow = await finishFlow(
      bed,
      String(start.headers.location),
      victim.rpps,
      '198.51.100.62',
      browserCookieOf(start),
    );
    expect(flow.handoff).not.toBeNull();
    // The victim's page exchanges it with its own session (or none): refused, unbound.
    const someone = await createUser(bed.app.ctx);
    for (const token of [undefined, someone.token]) {
      const res = await exchange(flow.handoff, token);
      if (token === undefined) {
        expect(res.statusCode).toBe(403);
        expect(res.body.code).toBe('verify-elsewhere');
      } else {
        expect(res.statusCode).toBe(410); // the handoff was used up by the first try
      }
    }
    const after = await bed.app.ctx.db('accounts').where({ id: attacker.account.id }).first();
    expect(after.professional_id).toBeNull();
    expect(after.identity_verified).toBe(false);
    expect(
      await bed.app.ctx.db('accounts').where({ professional_id: ids[victim.rpps] }),
    ).toHaveLength(0);
  });
});

describe('"Vérifier mon identité" on an account bound to someone else', () => {
  it('refuses an RPPS other than the one the account is bound to, and changes nothing', async () => {
    const own = await directoryEntry(bed.app.ctx, person('Xavier', 'DEJABIEN'));
    const bound = await createUser(bed.app.ctx, { professional_id: own });
    const intent = await call(bed.app.server, 'POST', '/api/auth/psc/intent', {
      token: bound.token,
    });
    const flow = await runFlow(bed, elsewhere.rpps, { intent: intent.body.intent, lang: 'en' });
    expect(flow.error).toBe('account-bound-elsewhere');
    const popup = await runFlow(bed, elsewhere.rpps, {
      intent: (await call(bed.app.server, 'POST', '/api/auth/psc/intent', { token: bound.token }))
        .body.intent,
      mode: 'popup',
      lang: 'en',
    });
    expect(popup.callback.payload).toContain('bound to another RPPS number');
    expect(
      (await bed.app.ctx.db('accounts').where({ id: bound.account.id }).first()).professional_id,
    ).toBe(own);
    expect(
      await bed.app.ctx.db('accounts').where({ professional_id: ids[elsewhere.rpps] }),
    ).toHaveLength(0);
  });
});

describe('joining from an invitation with Pro Santé Connect', () => {
  it('creates the verified account, which sees what waited for the professional', async () => {
    const inviter = await createUser(bed.app.ctx, { first_name: 'Alice', last_name: 'Invitante' });
    const waiting = await clinicalConversation(bed.app.ctx, inviter.account.id, ids[invited.rpps]!);
    const { token, invitationId } = await inviteAndToken(bed.app, inviter.token, {
      professionalId: ids[invited.rpps],
      channel: 'email',
      address: 'romain.invite@example.test',
      conversationId: waiting.id,
    });
    const flow = await runFlow(bed, invited.rpps, { invitation: token });
    const session = await exchange(flow.handoff);
    expect(session.statusCode, session.payload).toBe(201);
    expect(session.body.account).toMatchObject({
      professionalId: ids[invited.rpps],
      identityVerified: true,
      email: 'romain.invite@example.test',
    });
    expect(await listedIds(bed.app, session.body.token)).toEqual([waiting.id]);
    // The others see a verified professional: no "identité non vérifiée" mark.
    const view = await call(bed.app.server, 'GET', `/api/conversations/${waiting.id}`, {
      token: inviter.token,
    });
    expect(view.body.participants).toContainEqual(
      expect.objectContaining({
        kind: 'professional',
        id: ids[invited.rpps],
        identityVerified: true,
      }),
    );
    // Seated once, as the professional, not as an account of its own.
    expect(
      view.body.participants.some(
        (p: { kind: string; id: number }) =>
          p.kind === 'account' && p.id === session.body.account.id,
      ),
    ).toBe(false);
    const invitation = await bed.app.ctx.db('invitations').where({ id: invitationId }).first();
    expect(invitation).toMatchObject({
      status: 'accepted',
      accepted_account_id: session.body.account.id,
    });
    // The link is used up: refused at the start, before the provider.
    const again = outcome(await startFlow(bed, { invitation: token }));
    expect(again).toEqual({ handoff: null, error: 'invitation-unusable' });
  });
});

describe('an invitation link that can no longer be used', () => {
  it('is refused at the start, before the provider, on the same channel', async () => {
    const ip = '203.0.113.51'; // its own start budget
    const inviter = await createUser(bed.app.ctx, { first_name: 'Alice', last_name: 'Revoque' });
    const { token, invitationId } = await inviteAndToken(bed.app, inviter.token, {
      professionalId: ids[quitter.rpps],
      channel: 'email',
      address: 'sam.sortant@example.test',
    });
    await bed.app.ctx.db('invitations').where({ id: invitationId }).update({ status: 'revoked' });
    const redirect = await startFlow(bed, { invitation: token }, ip);
    expect(redirect.statusCode).toBe(302);
    expect(String(redirect.headers.location)).toBe(
      `${bed.publicUrl}/app#relais-psc-error=invitation-unusable`,
    );
    const popup = await startFlow(bed, { invitation: token, mode: 'popup' }, ip);
    expect(popup.statusCode).toBe(400);
    expect(popup.payload).toContain('data-code="invitation-unusable"');
    expect(popup.payload).toContain('Ce lien d’invitation n’est plus utilisable');
    // A token that was never issued, likewise.
    const unknown = await startFlow(bed, { invitation: 'x'.repeat(43) }, ip);
    expect(String(unknown.headers.location)).toContain('#relais-psc-error=invitation-unusable');
  });
});

describe('sign-out', () => {
  it('gives the provider’s end-session URL for a Pro Santé Connect session', async () => {
    const flow = await runFlow(bed, quitter.rpps);
    const session = await exchange(flow.handoff);
    const out = await call(bed.app.server, 'POST', '/api/auth/logout', {
      token: session.body.token,
    });
    expect(out.statusCode).toBe(200);
    const url = new URL(out.body.endSessionUrl);
    expect(url.href.startsWith(`${bed.psc.issuer}/session/end`)).toBe(true);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(bed.publicUrl);
    expect(url.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(
      (await call(bed.app.server, 'GET', '/api/me', { token: session.body.token })).statusCode,
    ).toBe(401);
    // The provider accepts it.
    const provider = await fetch(url, { redirect: 'manual' });
    expect(provider.status).toBeLessThan(400);
  });

  it('stays 204 for a password session', async () => {
    const user = await createUser(bed.app.ctx);
    const out = await call(bed.app.server, 'POST', '/api/auth/logout', { token: user.token });
    expect(out.statusCode).toBe(204);
  });
});
