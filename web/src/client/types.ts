/**
 * The shapes of the Relais conversation API and realtime events, as the server sends them
 * (server/presenters, server/plugins/realtime-events.ts). Dates are ISO 8601 strings.
 */
import type { MessageRecord } from '../../../domain/conversations/records';

export type ParticipantKind = 'professional' | 'structure' | 'account';

export interface ParticipantRef {
  kind: ParticipantKind;
  id: number;
}

export interface Participant extends ParticipantRef {
  name: string;
  firstName: string | null;
  lastName: string | null;
  profession: string | null;
  city: string | null;
  /** People (S10): signed in within the inactivity window, not lately, or no account. */
  accountStatus: 'active' | 'inactive' | 'none' | null;
  /** Structures: number of attached members (0: the message may go unanswered, S13). */
  members: number | null;
  /** False: an account from an invitation link whose identity is not confirmed yet. */
  identityVerified: boolean;
  /** The account's kind (people and accounts; null for a structure): 'bot' shows "Automatisé". */
  accountKind: 'person' | 'bot' | null;
  addedAt: string;
}

export interface InsIdentity {
  matricule: string;
  oid: string | null;
  birthName: string;
  firstName: string;
  birthDate: string;
  sex: 'M' | 'F' | 'I';
}

export type Patient = { ins: InsIdentity } | { reference: string };

/**
 * A message as the server presents it to one reader: the domain's record (type-only import:
 * nothing of the server is bundled) with what depends on the reader.
 */
export interface Message extends Omit<MessageRecord, 'attachments'> {
  /** Sent by the signed-in account. */
  mine: boolean;
  /** Date and time in the reader's time zone. */
  sentAt: { date: string; time: string; timeZone: string };
  /** "MSF, expédié par MATHILDE le 30/03/26 à 12:25:32" (S20), in the reader's locale. */
  signature: string;
  /** Files, in display order, as this reader sees them (docs/attachments.md). */
  attachments: AttachmentView[];
}

export type AttachmentStatus = 'uploading' | 'pending' | 'ready' | 'rejected' | 'infected';
export type AttachmentKind = 'image' | 'video' | 'audio' | 'document';
/** Why a file was refused (the interface words it, fr/en). */
export type AttachmentReason =
  | 'empty'
  | 'type-not-allowed'
  | 'too-large'
  | 'image-too-large'
  | 'unreadable'
  | 'malware';

/**
 * A file as one reader sees it (docs/attachments.md, "What a reader gets"): an upload in
 * progress (its owner only), waiting for the worker, ready with short-lived signed URLs,
 * or refused (its sender only).
 */
export interface AttachmentView {
  id: string;
  name: string;
  size: number;
  mediaType: string;
  kind: AttachmentKind | null;
  status: AttachmentStatus;
  reason: AttachmentReason | null;
  /** False: no antivirus on this installation ("non analysé"). */
  scanned: boolean;
  /** Bytes uploaded so far (the owner's view of an upload). */
  received: number;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
  /** Ready only: signed, short-lived, for <img>/<video>/download. */
  url: string | null;
  thumbnailUrl: string | null;
  /** True: served as a download (documents, audio); false: shown inline. */
  download: boolean;
  urlExpiresAt: string | null;
}

/** POST /api/uploads's answer: the upload and the largest chunk the server takes. */
export interface UploadCreated {
  upload: AttachmentView;
  chunkSize: number;
}

export interface Conversation {
  id: number;
  subject: string;
  patient: Patient | null;
  createdAt: string;
  lastActivityAt: string;
  lastSeq: number;
  participants: Participant[];
}

export interface ConversationSummary extends Conversation {
  lastMessage: Message | null;
  lastReadSeq: number;
  unreadCount: number;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
  serverTime: string;
}

export interface MessagePage {
  messages: Message[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
  lastSeq: number;
  lastReadSeq: number;
}

export interface ReadMarker {
  accountId: number;
  firstName: string;
  lastName: string;
  lastReadSeq: number;
  readAt: string | null;
  /** Received by this reader's devices up to here (≥ lastReadSeq). */
  lastDeliveredSeq: number;
  deliveredAt: string | null;
}

export interface ExistingConversation {
  id: number;
  subject: string;
  lastActivityAt: string;
  patient: Patient | null;
}

export interface NewConversationInput {
  subject: string;
  patient?:
    | { ins: Omit<InsIdentity, 'oid'> & { oid?: string | null } }
    | { reference: string }
    | null;
  recipients: ParticipantRef[];
  /**
   * The first message; `id` is generated when omitted (keep it to retry safely).
   * `attachments`: upload ids (at most 10, in display order); the body may then be empty.
   */
  message: { id?: string; body: string; attachments?: string[] };
  onBehalfOf?: number | null;
}

/** Events on the user's subscription `/users/{accountId}`. */
export type ServerEvent =
  | { type: 'conversation.created'; conversation: Conversation; message: Message }
  | { type: 'message.created'; conversationId: number; message: Message }
  | {
      type: 'read.updated';
      conversationId: number;
      reader: { accountId: number; firstName: string; lastName: string };
      lastReadSeq: number;
      readAt: string;
      lastDeliveredSeq: number;
      deliveredAt: string | null;
    }
  | {
      type: 'typing';
      conversationId: number;
      reader: { accountId: number; firstName: string; lastName: string };
    }
  | {
      type: 'participants.changed';
      conversation: Conversation;
      added: ParticipantRef[];
      removed: ParticipantRef[];
    }
  // A file finished processing (ready, refused): replaces it in its message.
  | {
      type: 'attachment.updated';
      conversationId: number | null;
      messageId: string | null;
      attachment: AttachmentView;
    }
  // A file shown as pending was refused: its sender alone sees why; others drop it.
  | {
      type: 'attachment.removed';
      conversationId: number | null;
      messageId: string;
      attachmentId: string;
    }
  // The server lost events (a Redis outage): catch up.
  | { type: 'sync.required' }
  // What the account may read changed (identity verified, structure approved, attached,
  // detached): old conversations may have become visible, others gone. Reload the list.
  | { type: 'access.changed' };
