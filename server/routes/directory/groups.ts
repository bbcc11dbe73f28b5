import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  type EntryKind,
  getGroup,
  groupRecipients,
  listGroups,
  removeGroupMember,
  renameGroup,
  toRef,
} from '../../../domain/directory';
import { ctxOf, userOf } from '../../types';
import { entryKind, groupName, id, memberRef } from './schemas';
import { viewerOf } from './viewer';

const groupParams = Joi.object({ groupId: id.required() });
const memberParams = Joi.object({
  groupId: id.required(),
  kind: entryKind.required(),
  id: id.required(),
});
type MemberParams = { groupId: number; kind: EntryKind; id: number };

export const groupRoutes: ServerRoute[] = [
  {
    method: 'GET',
    path: '/api/directory/groups',
    options: { tags: ['api'], description: 'My favourite groups' },
    async handler(request) {
      return { items: await listGroups(ctxOf(request).db, userOf(request).accountId) };
    },
  },
  {
    method: 'POST',
    path: '/api/directory/groups',
    options: {
      tags: ['api'],
      description: 'Create a favourite group, optionally with its first members',
      validate: {
        payload: Joi.object({
          name: groupName,
          members: Joi.array().items(memberRef).max(200).default([]),
        }),
      },
    },
    async handler(request, h) {
      const ctx = ctxOf(request);
      const user = userOf(request);
      const { name, members } = request.payload as {
        name: string;
        members: { kind: EntryKind; id: number }[];
      };
      const groupId = await createGroup(
        ctx.db,
        user.accountId,
        name,
        members.map((m) => toRef(m.kind, m.id)),
      );
      return h.response(await getGroup(ctx.db, viewerOf(ctx, user), groupId)).code(201);
    },
  },
  {
    method: 'GET',
    path: '/api/directory/groups/{groupId}',
    options: {
      tags: ['api'],
      description: 'A favourite group with its members',
      validate: { params: groupParams },
    },
    async handler(request) {
      const ctx = ctxOf(request);
      const { groupId } = request.params as { groupId: number };
      return getGroup(ctx.db, viewerOf(ctx, userOf(request)), groupId);
    },
  },
  {
    method: 'PATCH',
    path: '/api/directory/groups/{groupId}',
    options: {
      tags: ['api'],
      description: 'Rename a favourite group',
      validate: { params: groupParams, payload: Joi.object({ name: groupName }) },
    },
    async handler(request) {
      const ctx = ctxOf(request);
      const user = userOf(request);
      const { groupId } = request.params as { groupId: number };
      await renameGroup(
        ctx.db,
        user.accountId,
        groupId,
        (request.payload as { name: string }).name,
      );
      return getGroup(ctx.db, viewerOf(ctx, user), groupId);
    },
  },
  {
    method: 'DELETE',
    path: '/api/directory/groups/{groupId}',
    options: {
      tags: ['api'],
      description: 'Delete a favourite group (its members stay in the directory)',
      validate: { params: groupParams },
    },
    async handler(request, h) {
      const { groupId } = request.params as { groupId: number };
      await deleteGroup(ctxOf(request).db, userOf(request).accountId, groupId);
      return h.response().code(204);
    },
  },
  {
    method: 'PUT',
    path: '/api/directory/groups/{groupId}/members/{kind}/{id}',
    options: {
      tags: ['api'],
      description: 'Add a professional or structure to a group (idempotent)',
      validate: { params: memberParams, payload: Joi.object({}).allow(null) },
    },
    async handler(request, h) {
      const { groupId, kind, id } = request.params as MemberParams;
      await addGroupMember(ctxOf(request).db, userOf(request).accountId, groupId, toRef(kind, id));
      return h.response().code(204);
    },
  },
  {
    method: 'DELETE',
    path: '/api/directory/groups/{groupId}/members/{kind}/{id}',
    options: {
      tags: ['api'],
      description: 'Remove a professional or structure from a group',
      validate: { params: memberParams },
    },
    async handler(request, h) {
      const { groupId, kind, id } = request.params as MemberParams;
      await removeGroupMember(
        ctxOf(request).db,
        userOf(request).accountId,
        groupId,
        toRef(kind, id),
      );
      return h.response().code(204);
    },
  },
  {
    method: 'GET',
    path: '/api/directory/groups/{groupId}/recipients',
    options: {
      tags: ['api'],
      description: 'Expand a group into recipients (entries with status and member counts)',
      validate: { params: groupParams },
    },
    async handler(request) {
      const ctx = ctxOf(request);
      const { groupId } = request.params as { groupId: number };
      return { items: await groupRecipients(ctx.db, viewerOf(ctx, userOf(request)), groupId) };
    },
  },
];
