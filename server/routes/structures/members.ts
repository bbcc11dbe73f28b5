import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { attachMember, detachMember, type MemberRole } from '../../../domain/structures';
import { ctxOf, userOf } from '../../types';
import { id } from '../directory/schemas';

export const attachMemberRoute: ServerRoute = {
  method: 'POST',
  path: '/api/structures/{id}/members',
  options: {
    tags: ['api'],
    description:
      "Attach an account to a structure (the structure's or the installation's administrators)",
    notes: "`role: 'manager'` makes it an administrator of the structure too.",
    validate: {
      params: Joi.object({ id: id.required() }),
      payload: Joi.object({
        accountId: id.required(),
        role: Joi.string().valid('member', 'manager').default('member'),
      }),
    },
  },
  async handler(request, h) {
    const { id: structureId } = request.params as { id: number };
    const { accountId, role } = request.payload as { accountId: number; role: MemberRole };
    const attached = await attachMember(
      ctxOf(request),
      userOf(request),
      structureId,
      accountId,
      role,
    );
    return h.response(attached).code(201);
  },
};

export const detachMemberRoute: ServerRoute = {
  method: 'DELETE',
  path: '/api/structures/{id}/members/{accountId}',
  options: {
    tags: ['api'],
    description:
      "Detach a member from a structure (the structure's or the installation's administrators)",
    validate: { params: Joi.object({ id: id.required(), accountId: id.required() }) },
  },
  async handler(request, h) {
    const { id: structureId, accountId } = request.params as { id: number; accountId: number };
    await detachMember(ctxOf(request), userOf(request), structureId, accountId);
    return h.response().code(204);
  },
};
