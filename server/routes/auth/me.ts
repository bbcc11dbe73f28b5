import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import { Account } from '../../../domain/models';
import { presentAccount } from '../../presenters/account';
import { ctxOf, userOf } from '../../types';

export const meRoute: ServerRoute = {
  method: 'GET',
  path: '/api/me',
  options: {
    tags: ['api'],
    description: 'The signed-in account and the structures it answers for',
  },
  async handler(request) {
    const { db } = ctxOf(request);
    const { accountId } = userOf(request);
    const account = await Account.query(db).findById(accountId);
    if (!account) throw Boom.unauthorized('Account no longer exists');
    const structures = await db('structure_members as m')
      .join('structures as s', 's.id', 'm.structure_id')
      .where('m.account_id', accountId)
      .orderBy('s.name')
      .select('s.id', 's.name', 's.city', 'm.role');
    return { ...presentAccount(account), structures };
  },
};
