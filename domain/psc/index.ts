export { accountForProfessional, checkIntent } from './accounts';
export { PSC_MESSAGES, PscError, type PscErrorCode, pscMessage } from './errors';
export { forgetPscProviders, pscProvider } from './provider';
export {
  browserDigest,
  createIntent,
  newId,
  type PscFlow,
  rememberIdToken,
  saveFlow,
  saveHandoff,
  takeFlow,
  takeHandoff,
  takeIdToken,
  takeIntent,
} from './store';
export {
  authorizationUrl,
  completeAuthorization,
  endSessionUrl,
  type VerifiedProfessional,
} from './verify';
