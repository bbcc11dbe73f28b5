import type { ServerRoute } from '@hapi/hapi';
import { loadDirectoryIdentity, loadProfile } from '../../../domain/accounts';
import { codeEntry, PRACTICE_MODES } from '../../../domain/directory/codes';
import type { PscProfile } from '../../../domain/models';
import { presentAccount } from '../../presenters/account';
import { ctxOf, userOf } from '../../types';

const labelOf = (code: string | null) => (code ? (codeEntry(code)?.label ?? null) : null);

/** SubjectRefPro as kept, with the labels of its codes where the directory's lists know them. */
function presentPscProfile(profile: PscProfile, checkedAt: Date | null) {
  return {
    exercices: profile.exercices.map((x) => ({
      ...x,
      profession: labelOf(x.codeProfession),
      savoirFaire: labelOf(x.codeSavoirFaire),
      activities: x.activities.map((a) => ({
        ...a,
        modeExercice: a.codeModeExercice ? (PRACTICE_MODES[a.codeModeExercice] ?? null) : null,
      })),
    })),
    checkedAt: checkedAt?.toISOString() ?? null,
  };
}

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
      // How and when the identity was verified (admin | pro-sante-connect | seed | migration).
      identityVerifiedAt: account.identity_verified
        ? (account.identity_verified_at?.toISOString() ?? null)
        : null,
      identityVerificationMethod: account.identity_verified
        ? account.identity_verification_method
        : null,
      structures,
      // The bound directory entry, and what Pro Santé Connect said at the last sign-in.
      directoryIdentity: directory,
      pscProfile: account.psc_profile
        ? presentPscProfile(account.psc_profile, account.psc_checked_at)
        : null,
    };
  },
};
