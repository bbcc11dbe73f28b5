export { audienceOf, type Reader, requireSeats, type Seats } from './access';
export { type CreatedConversation, createConversation, type NewConversation } from './create';
export {
  type ConversationPage,
  type ConversationSummary,
  type ExistingConversation,
  findExistingConversations,
  getConversation,
  type ListOptions,
  listConversations,
} from './list';
export { loadConversation } from './load';
export { addParticipants, leaveConversation } from './membership';
export {
  listMessages,
  type MessagePage,
  type NewMessage,
  type SentMessage,
  sendMessage,
} from './messages';
export type { ParticipantKind, ParticipantRef, ParticipantView } from './participants';
export { markDelivered, markRead, messageReaders, type ReadMarker, readMarkers } from './reads';
export {
  BODY_MAX,
  type ConversationRecord,
  type MessageRecord,
  SUBJECT_MAX,
} from './records';
export { announceTyping } from './typing';
