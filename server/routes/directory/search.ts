import type { ServerRoute } from '@hapi/hapi';
import { type SearchRequest, searchDirectory } from '../../../domain/directory';
import { ctxOf, userOf } from '../../types';
import { searchQuery } from './schemas';
import { viewerOf } from './viewer';

export const searchRoute: ServerRoute = {
  method: 'GET',
  path: '/api/directory/search',
  options: {
    tags: ['api'],
    description: 'Search professionals and structures (name/identifier, profession, place)',
    notes:
      'The three filters combine; each is optional. With none, returns only the favourites. ' +
      'Favourites matching the filters come first in `favourites` (page 1).',
    validate: { query: searchQuery },
  },
  async handler(request) {
    const ctx = ctxOf(request);
    return searchDirectory(ctx.db, viewerOf(ctx, userOf(request)), request.query as SearchRequest);
  },
};
