/**
 * Relais web components. Importing this module defines every custom element, except the
 * screens of relais-extra (Administration, "Mon identité": see ./extra), defined when
 * first needed:
 *
 *   <script src="https://relais.example/relais.js"></script>      (single file, intranets)
 *   import '@relais/web';  // or web/dist/relais.es.js             (bundlers)
 */
export { ApiError } from './api/http';
export type { Account, Me, SessionGrant } from './api/types';
export { RelaisApp } from './components/relais-app';
export { RelaisAttachmentPicker } from './components/relais-attachment-picker';
export { RelaisAttachmentViewer } from './components/relais-attachment-viewer';
export { RelaisConversation } from './components/relais-conversation';
export { RelaisConversationList } from './components/relais-conversation-list';
export { RelaisInvite } from './components/relais-invite';
export { RelaisMessageAttachments } from './components/relais-message-attachments';
export { RelaisNewConversation } from './components/relais-new-conversation';
export { RelaisRecipientPicker } from './components/relais-recipient-picker';
export { RelaisSignIn } from './components/relais-sign-in';
export { RelaisUploadChip } from './components/relais-upload-chip';
export { EXTRA_TAGS, loadExtra } from './extra';
export { applyLocale, getLocale } from './i18n';
export {
  RelaisSession,
  signInWithEmbedToken,
  signInWithPassword,
} from './session/session';
