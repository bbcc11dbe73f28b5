import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  markDelivered,
  markRead,
  messageReaders,
  readMarkers,
} from '../../../domain/conversations';
import { ctxOf, userOf } from '../../types';
import { seq } from '../../validation';
import { conversationIdParams, messageId } from './schemas';

export const markReadRoute: ServerRoute = {
  method: 'POST',
  path: '/api/conversations/{id}/read',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:read' } },
    description: 'Mark the conversation read up to `seq` (never moves backwards)',
    validate: {
      params: conversationIdParams,
      payload: Joi.object({ seq: seq.required() }),
    },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    const { seq } = request.payload as { seq: number };
    return markRead(ctxOf(request), userOf(request), id, seq);
  },
};

export const markDeliveredRoute: ServerRoute = {
  method: 'POST',
  path: '/api/conversations/{id}/delivered',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:read' } },
    description:
      'Acknowledge reception up to `seq` (delivery receipts; the client library does it)',
    validate: {
      params: conversationIdParams,
      payload: Joi.object({ seq: seq.required() }),
    },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    const { seq } = request.payload as { seq: number };
    return markDelivered(ctxOf(request), userOf(request), id, seq);
  },
};

export const readMarkersRoute: ServerRoute = {
  method: 'GET',
  path: '/api/conversations/{id}/reads',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:read' } },
    description:
      'Read and delivery markers of every reader: message n is read by those with ' +
      'lastReadSeq ≥ n, received by those with lastDeliveredSeq ≥ n',
    validate: { params: conversationIdParams },
  },
  async handler(request) {
    const { id } = request.params as { id: number };
    return { readers: await readMarkers(ctxOf(request), userOf(request), id) };
  },
};

export const messageReadersRoute: ServerRoute = {
  method: 'GET',
  path: '/api/conversations/{id}/messages/{messageId}/reads',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:read' } },
    description: 'Who has read and who has received this message (its sender left out)',
    validate: {
      params: conversationIdParams.keys({ messageId: messageId.required() }),
    },
  },
  async handler(request) {
    const { id, messageId: mid } = request.params as { id: number; messageId: string };
    return messageReaders(ctxOf(request), userOf(request), id, mid);
  },
};
