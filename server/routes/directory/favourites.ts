import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  addFavourite,
  type EntryKind,
  listFavourites,
  removeFavourite,
  toRef,
} from '../../../domain/directory';
import { ctxOf, userOf } from '../../types';
import { entryParams } from './schemas';
import { viewerOf } from './viewer';

type EntryParams = { kind: EntryKind; id: number };

export const favouriteRoutes: ServerRoute[] = [
  {
    method: 'GET',
    path: '/api/directory/favourites',
    options: { tags: ['api'], description: 'My favourites, alphabetically' },
    async handler(request) {
      const ctx = ctxOf(request);
      return { items: await listFavourites(ctx.db, viewerOf(ctx, userOf(request))) };
    },
  },
  {
    method: 'PUT',
    path: '/api/directory/favourites/{kind}/{id}',
    options: {
      tags: ['api'],
      description: 'Star a professional or structure (idempotent)',
      validate: { params: entryParams, payload: Joi.object({}).allow(null) },
    },
    async handler(request, h) {
      const { kind, id } = request.params as EntryParams;
      await addFavourite(ctxOf(request).db, userOf(request).accountId, toRef(kind, id));
      return h.response().code(204);
    },
  },
  {
    method: 'DELETE',
    path: '/api/directory/favourites/{kind}/{id}',
    options: {
      tags: ['api'],
      description: 'Unstar a professional or structure (idempotent)',
      validate: { params: entryParams },
    },
    async handler(request, h) {
      const { kind, id } = request.params as EntryParams;
      await removeFavourite(ctxOf(request).db, userOf(request).accountId, toRef(kind, id));
      return h.response().code(204);
    },
  },
];
