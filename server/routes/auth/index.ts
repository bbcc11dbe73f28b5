import type { ServerRoute } from '@hapi/hapi';
import { embedRoute } from './embed';
import { loginRoute } from './login';
import { logoutRoute } from './logout';
import { meRoute } from './me';
import { pscRoutes } from './psc';

export const authRoutes: ServerRoute[] = [
  loginRoute,
  embedRoute,
  logoutRoute,
  meRoute,
  ...pscRoutes,
];
