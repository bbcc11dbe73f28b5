export {
  administersStructure,
  requireStructureAdministrator,
  type StructureActor,
} from './administrators';
export { attachMember, detachMember, type MemberRole } from './members';
export {
  decideMembershipRequest,
  listMembershipRequests,
  type MembershipRequestView,
  recordMembershipRequest,
} from './requests';
