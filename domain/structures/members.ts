import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { requireStructureAdministrator, type StructureActor } from './administrators';

export type MemberRole = 'member' | 'manager';

/**
 * An administrator attaches an account to the structure directly (role 'manager' makes it
 * an administrator too). Changing the role of a member already attached is allowed; a
 * pending request of that account is settled as approved by the same decision.
 */
export async function attachMember(
  ctx: AppContext,
  actor: StructureActor,
  structureId: number,
  accountId: number,
  role: MemberRole = 'member',
): Promise<{ structureId: number; accountId: number; role: MemberRole; attachedBy: number }> {
  await ctx.db.transaction(async (trx) => {
    const structure = await trx('structures').where({ id: structureId }).first('id');
    if (!structure) throw Boom.notFound('No such structure');
    await requireStructureAdministrator(trx, actor, structureId);
    const account = await trx('accounts')
      .where({ id: accountId })
      .whereNull('disabled_at')
      .first('id');
    if (!account) throw Boom.notFound('No such account');
    await trx('structure_members')
      .insert({
        structure_id: structureId,
        account_id: accountId,
        role,
        attached_by: actor.accountId,
      })
      .onConflict(['structure_id', 'account_id'])
      .merge(['role']);
    await trx('structure_membership_requests')
      .where({ structure_id: structureId, account_id: accountId, status: 'pending' })
      .update({ status: 'approved', decided_at: trx.fn.now(), decided_by: actor.accountId });
  });
  // The structure's conversations, however old, are now the member's to read.
  await publishEvent(ctx, [accountId], { type: 'access.changed' });
  return { structureId, accountId, role, attachedBy: actor.accountId };
}

/** An administrator detaches a member: it stops reading the structure's conversations at once. */
export async function detachMember(
  ctx: AppContext,
  actor: StructureActor,
  structureId: number,
  accountId: number,
): Promise<void> {
  await requireStructureAdministrator(ctx.db, actor, structureId);
  const removed = await ctx
    .db('structure_members')
    .where({ structure_id: structureId, account_id: accountId })
    .delete();
  if (!removed) throw Boom.notFound('This account is not attached to this structure');
  ctx.logger.info({ structureId, accountId, by: actor.accountId }, 'structure member detached');
  // Its open clients drop the structure's conversations (and close an open one).
  await publishEvent(ctx, [accountId], { type: 'access.changed' });
}
