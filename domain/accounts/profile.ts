import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { Account } from '../models';

export interface MemberStructure {
  id: number;
  name: string;
  city: string | null;
  role: 'member' | 'manager';
}

/** The signed-in account and the structures it answers for (S19). */
export async function loadProfile(
  ctx: AppContext,
  accountId: number,
): Promise<{ account: Account; structures: MemberStructure[] }> {
  const [account, structures] = await Promise.all([
    Account.query(ctx.db).findById(accountId),
    ctx
      .db('structure_members as m')
      .join('structures as s', 's.id', 'm.structure_id')
      .where('m.account_id', accountId)
      .orderBy('s.name')
      .select<MemberStructure[]>('s.id', 's.name', 's.city', 'm.role'),
  ]);
  if (!account) throw Boom.unauthorized('Account no longer exists');
  return { account, structures };
}
