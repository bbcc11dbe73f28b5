import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { listMessages, type NewMessage, sendMessage } from '../../../domain/conversations';
import { presentMessage } from '../../presenters/message';
import { ctxOf, viewerOf } from '../../types';
import { oneTo, seq } from '../../validation';
import { attachmentIds, body, conversationIdParams, messageId, structureId } from './schemas';

export const listMessagesRoute: ServerRoute = {
  method: 'GET',
  path: '/api/conversations/{id}/messages',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:read' } },
    description: 'Messages in ascending seq order; latest page by default',
    notes:
      '`after=<seq>` pages forward (catch-up), `before=<seq>` pages back (history). ' +
      '`hasMoreBefore` / `hasMoreAfter` tell whether to ask again.',
    validate: {
      params: conversationIdParams,
      query: Joi.object({
        before: seq.min(1),
        after: seq,
        limit: oneTo(200).default(50),
      }).oxor('before', 'after'),
    },
  },
  async handler(request) {
    const user = viewerOf(request);
    const { id } = request.params as { id: number };
    const page = await listMessages(ctxOf(request), user, id, request.query);
    return { ...page, messages: page.messages.map((m) => presentMessage(m, user)) };
  },
};

export const sendMessageRoute: ServerRoute = {
  method: 'POST',
  path: '/api/conversations/{id}/messages',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:write' } },
    description: 'Send a message (201; 200 when this client id was already sent)',
    notes:
      'Bodies are limited to 10,000 characters (400 naming `body`; over 1 MiB of JSON: 413). ' +
      '`onBehalfOf` answers for a participating structure the user is attached to (S19). ' +
      '`attachments` lists up to 10 upload ids (docs/attachments.md); the body may then be empty.',
    validate: {
      params: conversationIdParams,
      payload: Joi.object({
        id: messageId.required(),
        body: body.required(),
        onBehalfOf: structureId.allow(null),
        attachments: attachmentIds,
      }),
    },
  },
  async handler(request, h) {
    const user = viewerOf(request);
    const { id } = request.params as { id: number };
    const result = await sendMessage(ctxOf(request), user, id, request.payload as NewMessage);
    return h.response(presentMessage(result.message, user)).code(result.created ? 201 : 200);
  },
};
