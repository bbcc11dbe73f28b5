import type { ServerRoute } from '@hapi/hapi';
import { attachMemberRoute, detachMemberRoute } from './members';
import {
  approveMembershipRequestRoute,
  listMembershipRequestsRoute,
  refuseMembershipRequestRoute,
} from './requests';

/** Structure membership, granted by administrators only (issue 10). */
export const structureRoutes: ServerRoute[] = [
  listMembershipRequestsRoute,
  approveMembershipRequestRoute,
  refuseMembershipRequestRoute,
  attachMemberRoute,
  detachMemberRoute,
];
