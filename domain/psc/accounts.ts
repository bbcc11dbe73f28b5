import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { verifyIdentity } from '../identity';
import { acceptInvitationVerified, LinkUnusableError } from '../invitations';
import { PscError } from './errors';
import type { VerifiedProfessional } from './verify';

/**
 * Which account a verified Pro Santé Connect identity signs in as. The RPPS must be in the
 * directory. Then, by how the flow was started:
 * - "Vérifier mon identité" (an intent): the signed-in account is bound to it;
 * - an invitation link: the link is used by the account bound to it (created if none);
 * - a plain sign-in: the account bound to it, or a new one, bound and verified.
 * An RPPS bound to another account, or an account bound to another RPPS, is refused with
 * nothing changed: identities are never merged silently.
 */
export async function accountForProfessional(
  ctx: AppContext,
  verified: VerifiedProfessional,
  { intentAccountId, invitation }: { intentAccountId: number | null; invitation: string | null },
): Promise<number> {
  const { professional, professionalId, holder } = await directoryHolder(ctx, verified);
  const names = {
    firstName: verified.givenName || professional.first_name,
    lastName: verified.familyName || professional.last_name,
  };

  let accountId: number;
  if (intentAccountId !== null) {
    if (holder && Number(holder.id) !== intentAccountId) {
      throw new PscError('rpps-bound-elsewhere', { intentAccountId, holder: holder.id });
    }
    await bind(ctx, intentAccountId, professionalId);
    accountId = intentAccountId;
  } else if (invitation) {
    try {
      ({ accountId } = await acceptInvitationVerified(ctx, invitation, {
        professionalId,
        ...names,
      }));
    } catch (err) {
      if (err instanceof LinkUnusableError) throw new PscError('invitation-unusable', err.state);
      throw err;
    }
  } else if (holder) {
    accountId = Number(holder.id);
  } else {
    accountId = await createVerifiedAccount(ctx, professionalId, names);
  }
  await recordProfile(ctx, accountId, verified, professional);
  return accountId;
}

/** The directory entry of a verified identity, and the account already bound to it. */
async function directoryHolder(ctx: AppContext, verified: VerifiedProfessional) {
  const professional = await ctx
    .db('professionals')
    .where({ national_id: verified.nationalId })
    .first('id', 'first_name', 'last_name', 'profession_code', 'speciality_code');
  if (!professional) throw new PscError('unknown-rpps', { nationalId: verified.nationalId });
  const professionalId = Number(professional.id);
  const holder = await ctx
    .db('accounts')
    .where({ professional_id: professionalId })
    .first('id', 'disabled_at');
  if (holder?.disabled_at) throw new PscError('account-disabled');
  return { professional, professionalId, holder };
}

/**
 * The refusals of a verification, told at the callback without changing anything: the
 * binding itself waits for the exchange, which only the account's own page can make.
 */
export async function checkIntent(
  ctx: AppContext,
  verified: VerifiedProfessional,
  accountId: number,
): Promise<void> {
  const { professionalId, holder } = await directoryHolder(ctx, verified);
  if (holder && Number(holder.id) !== accountId) {
    throw new PscError('rpps-bound-elsewhere', { accountId, holder: holder.id });
  }
  const account = await ctx.db('accounts').where({ id: accountId }).first('professional_id');
  if (account?.professional_id && Number(account.professional_id) !== professionalId) {
    throw new PscError('account-bound-elsewhere', { accountId });
  }
}

/** verifyIdentity, with its refusals told in the user's words. */
async function bind(ctx: AppContext, accountId: number, professionalId: number) {
  try {
    await verifyIdentity(ctx, accountId, professionalId, {
      by: null,
      method: 'pro-sante-connect',
    });
  } catch (err) {
    if (Boom.isBoom(err) && err.output.statusCode === 409) {
      const mine = /already bound to another/.test(err.message);
      throw new PscError(mine ? 'account-bound-elsewhere' : 'rpps-bound-elsewhere', err.message);
    }
    throw err;
  }
}

/** A first sign-in: the account is made and bound in one transaction. */
async function createVerifiedAccount(
  ctx: AppContext,
  professionalId: number,
  names: { firstName: string; lastName: string },
): Promise<number> {
  try {
    return await ctx.db.transaction(async (trx) => {
      const [row] = await trx('accounts')
        .insert({
          professional_id: null,
          claimed_professional_id: professionalId,
          identity_verified: false,
          first_name: names.firstName,
          last_name: names.lastName,
        })
        .returning('id');
      const accountId = Number(row.id);
      await verifyIdentity({ ...ctx, db: trx }, accountId, professionalId, {
        by: null,
        method: 'pro-sante-connect',
      });
      return accountId;
    });
  } catch (err) {
    // Two first sign-ins at once: the other one made the account, use it.
    const holder = await ctx.db('accounts').where({ professional_id: professionalId }).first('id');
    if (holder) return Number(holder.id);
    throw err;
  }
}

/**
 * Keeps what PSC says of the professional beside the directory's entry; a difference is
 * logged (the directory may be older than the provider), never resolved automatically.
 */
async function recordProfile(
  ctx: AppContext,
  accountId: number,
  verified: VerifiedProfessional,
  directory: { profession_code: string | null; speciality_code: string | null },
) {
  await ctx
    .db('accounts')
    .where({ id: accountId })
    .update({ psc_profile: JSON.stringify(verified.profile), psc_checked_at: ctx.db.fn.now() });
  const professions = verified.profile.exercices.map((x) => x.codeProfession);
  const specialities = verified.profile.exercices.map((x) => x.codeSavoirFaire).filter(Boolean);
  const professionDiffers =
    directory.profession_code !== null && !professions.includes(directory.profession_code);
  const specialityDiffers =
    directory.speciality_code !== null &&
    specialities.length > 0 &&
    !specialities.includes(directory.speciality_code);
  if (professionDiffers || specialityDiffers) {
    ctx.logger.warn(
      { accountId, directory, psc: { professions, specialities } },
      'Pro Santé Connect profile differs from the directory',
    );
  }
}
