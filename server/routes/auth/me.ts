import type { ServerRoute } from '@hapi/hapi';
import { loadProfile } from '../../../domain/accounts';
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
    const { account, structures } = await loadProfile(ctxOf(request), userOf(request).accountId);
    return { ...presentAccount(account), structures };
  },
};
