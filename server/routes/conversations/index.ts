import type { ServerRoute } from '@hapi/hapi';
import { createConversationRoute } from './create';
import { existingConversationsRoute } from './existing';
import { getConversationRoute } from './get';
import { listConversationsRoute } from './list';
import { listMessagesRoute, sendMessageRoute } from './messages';
import { addParticipantsRoute, leaveConversationRoute } from './participants';
import { markDeliveredRoute, markReadRoute, messageReadersRoute, readMarkersRoute } from './reads';

export const conversationRoutes: ServerRoute[] = [
  listConversationsRoute,
  createConversationRoute,
  existingConversationsRoute,
  getConversationRoute,
  listMessagesRoute,
  sendMessageRoute,
  markReadRoute,
  markDeliveredRoute,
  readMarkersRoute,
  messageReadersRoute,
  addParticipantsRoute,
  leaveConversationRoute,
];
