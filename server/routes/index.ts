import type { ServerRoute } from '@hapi/hapi';
import { identityRoutes } from './admin/identity';
import { attachmentRoutes } from './attachments';
import { authRoutes } from './auth';
import { botRoutes } from './bots';
import { conversationRoutes } from './conversations';
import { directoryRoutes } from './directory';
import { invitationRoutes } from './invitations';
import { healthRoute, readyRoute } from './ops/health';
import { structureRoutes } from './structures';

/** Every REST route of the server. Each area exports its list; add one line per area. */
export const routes: ServerRoute[] = [
  healthRoute,
  readyRoute,
  ...authRoutes,
  ...conversationRoutes,
  ...directoryRoutes,
  ...invitationRoutes,
  ...structureRoutes,
  ...identityRoutes,
  ...attachmentRoutes,
  ...botRoutes,
];
