export { EmbedTokenError, exchangeEmbedToken, verifyEmbedToken } from './embed-token';
export { hashPassword, verifyPassword } from './passwords';
export {
  type DirectoryIdentity,
  loadDirectoryIdentity,
  loadProfile,
  type MemberStructure,
} from './profile';
export {
  createSession,
  hashToken,
  isSessionLive,
  purgeEndedSessions,
  resolveSession,
  revokeSession,
  touchActivity,
} from './sessions';
export { type SignInResult, signIn } from './sign-in';
