import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  addParticipants,
  leaveConversation,
  type ParticipantRef,
} from '../../../domain/conversations';
import { presentConversation } from '../../presenters/conversation';
import { ctxOf, userOf } from '../../types';
import { conversationIdParams, recipients, structureId } from './schemas';

export const addParticipantsRoute: ServerRoute = {
  method: 'POST',
  path: '/api/conversations/{id}/participants',
  options: {
    tags: ['api'],
    description: 'Add professionals, structures or accounts; they see the whole history',
    validate: {
      params: conversationIdParams,
      payload: Joi.object({ recipients: recipients.required() }),
    },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    const { recipients: refs } = request.payload as { recipients: ParticipantRef[] };
    const result = await addParticipants(ctxOf(request), userOf(request), id, refs);
    return { conversation: presentConversation(result.conversation), added: result.added };
  },
};

export const leaveConversationRoute: ServerRoute = {
  method: 'POST',
  path: '/api/conversations/{id}/leave',
  options: {
    tags: ['api'],
    description: 'Leave in person, or withdraw a structure (`onBehalfOf`) you are attached to',
    validate: {
      params: conversationIdParams,
      payload: Joi.object({ onBehalfOf: structureId.allow(null) })
        .allow(null)
        .default({}),
    },
  },
  async handler(request, h) {
    const { id } = request.params as { id: number };
    const payload = (request.payload ?? {}) as { onBehalfOf?: number | null };
    await leaveConversation(ctxOf(request), userOf(request), id, payload);
    return h.response().code(204);
  },
};
