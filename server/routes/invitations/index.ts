import type { ServerRoute } from '@hapi/hapi';
import { outboxEntryRoute, outboxListRoute } from '../admin/outbox';
import { joinPageRoute } from '../join/show';
import { joinSubmitRoute } from '../join/submit';
import { unsubscribePageRoute, unsubscribeRoute } from '../join/unsubscribe';
import { twilioStatusRoute } from '../webhooks/twilio-status';
import { createInvitationRoute } from './create';
import { getInvitationRoute, listInvitationsRoute } from './list';
import { getRemindersRoute, setRemindersRoute } from './reminders';
import { resendInvitationRoute } from './resend';
import { revokeInvitationRoute } from './revoke';

/**
 * Invitations (issue 6): the inviter's API, the public join and unsubscribe pages, the
 * Twilio status callback and the demo outbox. One list, so the server adds one line.
 */
export const invitationRoutes: ServerRoute[] = [
  createInvitationRoute,
  listInvitationsRoute,
  getInvitationRoute,
  resendInvitationRoute,
  revokeInvitationRoute,
  getRemindersRoute,
  setRemindersRoute,
  joinPageRoute,
  joinSubmitRoute,
  unsubscribePageRoute,
  unsubscribeRoute,
  twilioStatusRoute,
  outboxListRoute,
  outboxEntryRoute,
];
