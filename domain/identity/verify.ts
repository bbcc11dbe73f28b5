import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import type { AppContext } from '../context';
import { PENDING_STATUSES } from '../invitations/pending';
import { publishEvent } from '../realtime';

/** How an identity was confirmed: by an installation administrator, later by Pro Santé Connect. */
export type VerificationMethod = 'admin' | 'pro-sante-connect';

/**
 * Binds an account to its directory identity, the one way to do so after sign-up: sets
 * `professional_id`, records who confirmed it, how and when. From then on the account
 * reads everything addressed to that professional (access goes through professional_id).
 *
 * Also, in the same transaction:
 * - its own seats (kind 'account', given by invitations) become the professional's seat,
 *   so that it appears once, as the professional, and leaves as one;
 * - the professional's other open invitations are closed as accepted: they are pointless
 *   now (they stay open until then, so the real person can still join through their own).
 *
 * Pro Santé Connect will call this with `method: 'pro-sante-connect'` and `by: null`.
 */
export async function verifyIdentity(
  ctx: AppContext,
  accountId: number,
  professionalId: number,
  { by, method }: { by: number | null; method: VerificationMethod },
): Promise<void> {
  const bound = await ctx.db.transaction(async (trx) => {
    const account = await trx('accounts')
      .where({ id: accountId })
      .forUpdate()
      .first('id', 'professional_id', 'identity_verified');
    if (!account) throw Boom.notFound('No such account');
    if (account.professional_id !== null) {
      if (Number(account.professional_id) === professionalId) return false;
      throw Boom.conflict('This account is already bound to another directory identity');
    }
    const professional = await trx('professionals').where({ id: professionalId }).first('id');
    if (!professional) throw Boom.badRequest('This professional is not in the directory');
    const holder = await trx('accounts').where({ professional_id: professionalId }).first('id');
    if (holder) throw Boom.conflict('Another account is already bound to this professional');

    await trx('accounts').where({ id: accountId }).update({
      professional_id: professionalId,
      identity_verified: true,
      identity_verified_at: trx.fn.now(),
      identity_verified_by: by,
      identity_verification_method: method,
      updated_at: trx.fn.now(),
    });
    await mergeSeats(trx, accountId, professionalId);
    await trx('invitations')
      .where({ professional_id: professionalId })
      .whereIn('status', [...PENDING_STATUSES, 'failed'])
      .update({ status: 'accepted', accepted_account_id: accountId, updated_at: trx.fn.now() });
    return true;
  });
  if (!bound) return;
  ctx.logger.info({ accountId, professionalId, by, method }, 'identity verified');
  // It now reads everything addressed to the professional, old conversations included.
  await publishEvent(ctx, [accountId], { type: 'access.changed' });
}

/**
 * An installation administrator confirms an account: the identity its invitation claimed,
 * or the one they name (a structure invitation claims none). Returns the professional.
 */
export async function confirmClaimedIdentity(
  ctx: AppContext,
  accountId: number,
  { professionalId, by }: { professionalId?: number | null; by: number },
): Promise<number> {
  const account = await ctx
    .db('accounts')
    .where({ id: accountId })
    .first('claimed_professional_id');
  if (!account) throw Boom.notFound('No such account');
  const chosen = professionalId ?? account.claimed_professional_id;
  if (!chosen) {
    throw Boom.badRequest('This account claims no directory identity: give `professionalId`');
  }
  await verifyIdentity(ctx, accountId, Number(chosen), { by, method: 'admin' });
  return Number(chosen);
}

/** The account's personal seats become (or join) the professional's. */
async function mergeSeats(trx: Knex.Transaction, accountId: number, professionalId: number) {
  const mine = trx('conversation_participants')
    .where({ account_id: accountId })
    .whereNull('left_at')
    .select('conversation_id');
  // Where the professional already has a seat: it is kept (brought back if it had left).
  await trx('conversation_participants')
    .where({ professional_id: professionalId })
    .whereNotNull('left_at')
    .whereIn('conversation_id', mine)
    .update({ left_at: null });
  await trx('conversation_participants')
    .where({ account_id: accountId })
    .whereIn(
      'conversation_id',
      trx('conversation_participants')
        .where({ professional_id: professionalId })
        .select('conversation_id'),
    )
    .delete();
  await trx('conversation_participants')
    .where({ account_id: accountId })
    .update({ kind: 'professional', professional_id: professionalId, account_id: null });
}

/**
 * An administrator refuses the identity an account claims: it stays unbound (it keeps the
 * conversations shared with it), the claim is dropped, and who refused it when is kept.
 */
export async function rejectIdentityClaim(
  ctx: AppContext,
  accountId: number,
  { by }: { by: number },
): Promise<void> {
  const updated = await ctx
    .db('accounts')
    .where({ id: accountId, identity_verified: false })
    .update({
      claimed_professional_id: null,
      identity_rejected_at: ctx.db.fn.now(),
      identity_rejected_by: by,
      updated_at: ctx.db.fn.now(),
    });
  if (!updated) {
    const exists = await ctx.db('accounts').where({ id: accountId }).first('id');
    if (!exists) throw Boom.notFound('No such account');
    throw Boom.conflict('This account’s identity is already verified');
  }
  ctx.logger.info({ accountId, by }, 'identity claim rejected');
}
