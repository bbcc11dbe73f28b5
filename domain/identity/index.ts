export { listUnverifiedAccounts, type UnverifiedAccount } from './unverified';
export {
  confirmClaimedIdentity,
  rejectIdentityClaim,
  type VerificationMethod,
  verifyIdentity,
} from './verify';
