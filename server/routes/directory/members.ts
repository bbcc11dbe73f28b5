import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { listStructureMembers } from '../../../domain/directory';
import { ctxOf, userOf } from '../../types';
import { id } from './schemas';
import { viewerOf } from './viewer';

export const structureMembersRoute: ServerRoute = {
  method: 'GET',
  path: '/api/directory/structures/{id}/members',
  options: {
    tags: ['api'],
    description: 'Professionals attached to a structure for the chat, with their status',
    notes: '`structure.nobodyAttached` is true when a message to it may stay unanswered.',
    validate: { params: Joi.object({ id: id.required() }) },
  },
  async handler(request) {
    const ctx = ctxOf(request);
    return listStructureMembers(
      ctx.db,
      viewerOf(ctx, userOf(request)),
      (request.params as { id: number }).id,
    );
  },
};
