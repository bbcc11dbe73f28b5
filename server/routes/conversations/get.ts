import type { ServerRoute } from '@hapi/hapi';
import { getConversation } from '../../../domain/conversations';
import { presentSummary } from '../../presenters/conversation';
import { ctxOf, userOf } from '../../types';
import { conversationIdParams } from './schemas';

export const getConversationRoute: ServerRoute = {
  method: 'GET',
  path: '/api/conversations/{id}',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'conversations:read' } },
    description: 'One conversation: participants, patient, last message, unread count',
    validate: { params: conversationIdParams },
  },
  async handler(request) {
    const user = userOf(request);
    const id = (request.params as { id: number }).id;
    return presentSummary(await getConversation(ctxOf(request), user, id), user);
  },
};
