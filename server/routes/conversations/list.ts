import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { type ListOptions, listConversations } from '../../../domain/conversations';
import { presentSummary } from '../../presenters/conversation';
import { ctxOf, userOf } from '../../types';
import { isoDate, oneTo, text } from '../../validation';
import { matricule, structureId } from './schemas';

export const listConversationsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/conversations',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'conversations:read' } },
    description: 'The signed-in user’s conversations, most recent activity first (S1)',
    notes:
      'Includes conversations of the structures the user is attached to. Page with ' +
      '`cursor` = the previous `nextCursor`. `activeSince` (ISO) lists only conversations ' +
      'with activity since then: the realtime client’s catch-up after a reconnect.',
    validate: {
      query: Joi.object({
        limit: oneTo(100).default(20),
        cursor: text(200),
        patientIns: matricule,
        patientReference: text(200).trim().min(1),
        structureId,
        activeSince: isoDate,
      }),
    },
  },
  async handler(request) {
    const user = userOf(request);
    const page = await listConversations(ctxOf(request), user, request.query as ListOptions);
    return { ...page, conversations: page.conversations.map((c) => presentSummary(c, user)) };
  },
};
