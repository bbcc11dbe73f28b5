import type { ServerRoute } from '@hapi/hapi';
import { favouriteRoutes } from './favourites';
import { groupRoutes } from './groups';
import { structureMembersRoute } from './members';
import { searchRoute } from './search';
import { suggestPlacesRoute, suggestProfessionsRoute } from './suggest';

/** The directory's REST routes (issue 3): search, suggestions, members, favourites, groups. */
export const directoryRoutes: ServerRoute[] = [
  searchRoute,
  suggestProfessionsRoute,
  suggestPlacesRoute,
  structureMembersRoute,
  ...favouriteRoutes,
  ...groupRoutes,
];
