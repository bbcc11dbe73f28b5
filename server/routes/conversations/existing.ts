import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { findExistingConversations, type ParticipantRef } from '../../../domain/conversations';
import { presentExisting } from '../../presenters/conversation';
import { ctxOf, userOf } from '../../types';
import { id, text } from '../../validation';
import { matricule, structureId } from './schemas';

const ids = Joi.array().items(id).single().max(100).default([]);

export const existingConversationsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/conversations/existing',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'conversations:read' } },
    description: 'Conversations with exactly these participants (S17), before creating one',
    notes:
      'Participants = the signed-in user (or `onBehalfOf` structure) plus the recipients given ' +
      'as repeated `professional`, `structure` and `account` query parameters; optionally ' +
      'about the same patient.',
    validate: {
      query: Joi.object({
        professional: ids,
        structure: ids,
        account: ids,
        onBehalfOf: structureId,
        patientIns: matricule,
        patientReference: text(200).trim().min(1),
      }),
    },
  },
  async handler(request) {
    const q = request.query as {
      professional: number[];
      structure: number[];
      account: number[];
      onBehalfOf?: number;
      patientIns?: string;
      patientReference?: string;
    };
    const recipients: ParticipantRef[] = [
      ...q.professional.map((id) => ({ kind: 'professional' as const, id })),
      ...q.structure.map((id) => ({ kind: 'structure' as const, id })),
      ...q.account.map((id) => ({ kind: 'account' as const, id })),
    ];
    const found = await findExistingConversations(ctxOf(request), userOf(request), {
      recipients,
      onBehalfOf: q.onBehalfOf,
      patientIns: q.patientIns,
      patientReference: q.patientReference,
    });
    return presentExisting(found);
  },
};
