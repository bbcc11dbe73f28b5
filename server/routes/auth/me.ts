import type { ServerRoute } from '@hapi/hapi';
import { loadDirectoryIdentity, loadProfile } from '../../../domain/accounts';
import { presentAccount } from '../../presenters/account';
import { ctxOf, userOf } from '../../types';

export const meRoute: ServerRoute = {
  method: 'GET',
  path: '/api/me',
  options: {
    tags: ['api'],
    description:
      'The signed-in account, the structures it answers for, its directory entry and Pro Santé Connect profile',
  },
  async handler(request) {
    const ctx = ctxOf(request);
    const { account, structures } = await loadProfile(ctx, userOf(request).accountId);
    const directory = await loadDirectoryIdentity(ctx, account.professional_id);
    return {
      ...presentAccount(account),
      structures,
      // The bound directory entry, and what Pro Santé Connect said at the last sign-in.
      directoryIdentity: directory,
      pscProfile: account.psc_profile
        ? { ...account.psc_profile, checkedAt: account.psc_checked_at?.toISOString() ?? null }
        : null,
    };
  },
};
