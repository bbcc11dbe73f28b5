export {
  type Channel,
  type CreatedInvitation,
  type InvitationRow,
  type Inviter,
  inviteProfessional,
  type NewInvitation,
} from './create';
export {
  type DeliveryHooks,
  type DeliveryOutcome,
  deliverInvitation,
  markDeliveryFailed,
  releaseAttempt,
  type Transports,
} from './deliver';
export { isGsm7, toGsm7 } from './gsm7';
export {
  acceptInvitation,
  acceptInvitationVerified,
  checkLinkForVerifiedJoin,
  type Joined,
  type JoinInput,
  type LinkState,
  LinkUnusableError,
  lookupInvitationLink,
} from './join';
export { admitJoinRequest, countUnknownLink } from './join-throttle';
export {
  expireInvitations,
  getInvitation,
  type InvitationView,
  listInvitations,
  resendInvitation,
  revokeInvitation,
  sweepQueuedInvitations,
} from './manage';
export { renderInvitationEmail, renderInvitationSms } from './messages';
export { closeInvitationQueues, deliveryJobId, enqueueDeliveries } from './queue';
export { quietHoursDelayMs } from './quiet-hours';
export { applyTwilioStatus, type TwilioStatus } from './status-callback';
