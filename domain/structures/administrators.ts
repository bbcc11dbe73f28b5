import Boom from '@hapi/boom';
import type { Knex } from 'knex';

/** Who acts on a structure's membership: an account, possibly an installation administrator. */
export interface StructureActor {
  accountId: number;
  isAdmin: boolean;
}

/**
 * Membership is granted by the structure's own administrators (structure_members role
 * 'manager', shown as "administrator") or by the installation's (accounts.is_admin). Never
 * by an invitation link: holding one proves control of an address, nothing more.
 */
export async function administersStructure(
  db: Knex,
  actor: StructureActor,
  structureId: number,
): Promise<boolean> {
  if (actor.isAdmin) return true;
  const row = await db('structure_members')
    .where({ structure_id: structureId, account_id: actor.accountId, role: 'manager' })
    .first('account_id');
  return Boolean(row);
}

export async function requireStructureAdministrator(
  db: Knex,
  actor: StructureActor,
  structureId: number,
): Promise<void> {
  if (!(await administersStructure(db, actor, structureId))) {
    throw Boom.forbidden("Only the structure's administrators may change its members");
  }
}
