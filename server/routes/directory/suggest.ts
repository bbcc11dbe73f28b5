import type { ServerRoute } from '@hapi/hapi';
import { suggestPlaces, suggestProfessions } from '../../../domain/directory';
import { suggestQuery } from './schemas';

export const suggestProfessionsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/directory/suggest/professions',
  options: {
    tags: ['api'],
    description: 'Professions and specialities matching what is typed ("kiné", "cardio", "60")',
    validate: { query: suggestQuery },
  },
  handler(request) {
    const { q, limit } = request.query as { q: string; limit: number };
    return {
      items: suggestProfessions(q, limit).map((e) => ({
        kind: e.kind,
        code: e.code,
        label: e.label,
        value: e.code,
      })),
    };
  },
};

export const suggestPlacesRoute: ServerRoute = {
  method: 'GET',
  path: '/api/directory/suggest/places',
  options: {
    tags: ['api'],
    description: 'Départements and communes matching what is typed (name, code or postcode)',
    notes: '`value` is what to send back as the `place` filter.',
    validate: { query: suggestQuery },
  },
  handler(request) {
    const { q, limit } = request.query as { q: string; limit: number };
    return { items: suggestPlaces(q, limit) };
  },
};
