/** Shapes of the Relais REST API as the web components read them. */
import type { DirectoryIdentity } from '../../../domain/accounts/profile';

export type { DirectoryIdentity, DirectoryPlace } from '../../../domain/accounts/profile';
export interface Account {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  locale: string | null;
  timeZone: string | null;
  professionalId: number | null;
  isAdmin: boolean;
  /** False until an administrator confirms who an invitation-made account is. */
  identityVerified?: boolean;
}

export interface MemberStructure {
  id: number;
  name: string;
  city: string | null;
  role: string;
}

/** What Pro Santé Connect said at the last sign-in (SubjectRefPro), labels where known. */
export interface PscProfileView {
  exercices: Array<{
    codeProfession: string | null;
    profession: string | null;
    codeSavoirFaire: string | null;
    savoirFaire: string | null;
    activities: Array<{
      codeModeExercice: string | null;
      modeExercice: string | null;
      numeroFinessSite: string | null;
      raisonSocialeSite: string | null;
    }>;
  }>;
  checkedAt: string | null;
}

export interface Me extends Account {
  structures: MemberStructure[];
  /** When and how the identity was verified (null while it is not). */
  identityVerifiedAt?: string | null;
  identityVerificationMethod?: string | null;
  /** The bound directory entry (null when the account is bound to none). */
  directoryIdentity?: DirectoryIdentity | null;
  pscProfile?: PscProfileView | null;
}

export interface SessionGrant {
  token: string;
  expiresAt: string;
  account: Account;
}

import type { AttachmentView } from '../client/types';
import type { Conversation, ConversationSummary, Message, ReadMarker } from './conversations';

/**
 * What the elements of a session hear from the realtime link (session/realtime.ts), after
 * the realtime client has de-duplicated messages and caught up after reconnections.
 */
export type RealtimeEvent =
  | { type: 'message'; conversationId: number; message: Message; live: boolean }
  | {
      type: 'conversation';
      conversation: Conversation | ConversationSummary;
      reason: 'created' | 'participants' | 'catch-up';
    }
  /** What the account may read changed: lists reload, an open conversation re-checks. */
  | { type: 'access' }
  /** A file finished processing: replaced in its message (docs/attachments.md). */
  | {
      type: 'attachment';
      conversationId: number | null;
      messageId: string | null;
      attachment: AttachmentView;
    }
  /** A file shown as pending was refused: dropped from its message (nothing else is said). */
  | {
      type: 'attachment.removed';
      conversationId: number | null;
      messageId: string;
      attachmentId: string;
    }
  | ({ type: 'read'; conversationId: number } & Omit<
      ReadMarker,
      'accountId' | 'firstName' | 'lastName'
    > & {
        reader: { accountId: number; firstName: string; lastName: string };
      });
