import type { ServerRoute } from '@hapi/hapi';
import { authRoutes } from './auth';
import { conversationRoutes } from './conversations';
import { directoryRoutes } from './directory';
import { invitationRoutes } from './invitations';
import { healthRoute, readyRoute } from './ops/health';

/** Every REST route of the server. Each area exports its list; add one line per area. */
export const routes: ServerRoute[] = [
  healthRoute,
  readyRoute,
  ...authRoutes,
  ...conversationRoutes,
  ...directoryRoutes,
  ...invitationRoutes,
];
