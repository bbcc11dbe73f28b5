import type { Knex } from 'knex';
import { attachmentsOfMessages } from '../attachments/records';
import type { AttachmentRecord } from '../attachments/types';
import type { Patient } from '../patients';
import type { ParticipantView } from './participants';

/**
 * Conversations and messages as the domain hands them out: plain JSON-safe objects (dates
 * as ISO strings), the same in a REST response and in a realtime event travelling through
 * Redis. Per-reader details (unread count, "mine", the S20 line in the reader's time zone)
 * are added by the server's presenters.
 */
export const SUBJECT_MAX = 200;
/** Documented limit of a message body, in characters (UTF-16 code units, as JavaScript counts). */
export const BODY_MAX = 10_000;

export interface MessageRecord {
  id: string;
  conversationId: number;
  seq: number;
  body: string;
  createdAt: string;
  /** `identityVerified` false: an account from an invitation link not yet confirmed (issue 10). */
  sender: {
    accountId: number;
    firstName: string;
    lastName: string;
    identityVerified: boolean;
    /** 'bot': shown with the "Automatisé" badge (issue 12). */
    kind: 'person' | 'bot';
  } | null;
  /** Set when the sender answered on behalf of a structure (S19). */
  structure: { id: number; name: string } | null;
  /**
   * Files, in the sender's order (issue 11). Every status is here: the presenter hides
   * refused ones from everyone but the sender and signs URLs per reader.
   */
  attachments: AttachmentRecord[];
}

export interface ConversationRecord {
  id: number;
  subject: string;
  patient: Patient | null;
  createdAt: string;
  lastActivityAt: string;
  lastSeq: number;
  participants: ParticipantView[];
}

export interface MessageRow {
  id: string;
  conversation_id: number;
  seq: number;
  body: string;
  created_at: Date;
  sender_account_id: number | null;
  structure_id: number | null;
  sender_first: string | null;
  sender_last: string | null;
  sender_verified: boolean | null;
  sender_kind: 'person' | 'bot' | null;
  structure_name: string | null;
}

/** Messages with what it takes to render their signature. */
export function messagesQuery(db: Knex) {
  return db('messages as m')
    .leftJoin('accounts as a', 'a.id', 'm.sender_account_id')
    .leftJoin('structures as s', 's.id', 'm.structure_id')
    .select(
      'm.id',
      'm.conversation_id',
      'm.seq',
      'm.body',
      'm.created_at',
      'm.sender_account_id',
      'm.structure_id',
      'a.first_name as sender_first',
      'a.last_name as sender_last',
      'a.identity_verified as sender_verified',
      'a.kind as sender_kind',
      's.name as structure_name',
    );
}

export function toMessageRecord(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    conversationId: Number(r.conversation_id),
    seq: r.seq,
    body: r.body,
    createdAt: new Date(r.created_at).toISOString(),
    sender: r.sender_account_id
      ? {
          accountId: Number(r.sender_account_id),
          firstName: r.sender_first ?? '',
          lastName: r.sender_last ?? '',
          identityVerified: r.sender_verified !== false,
          kind: r.sender_kind ?? 'person',
        }
      : null,
    structure: r.structure_id ? { id: Number(r.structure_id), name: r.structure_name ?? '' } : null,
    attachments: [],
  };
}

/** Fills in the attachments of these messages (one query for the lot). */
export async function withAttachments(
  db: Knex,
  messages: MessageRecord[],
): Promise<MessageRecord[]> {
  const byMessage = await attachmentsOfMessages(
    db,
    messages.map((m) => m.id),
  );
  for (const message of messages) message.attachments = byMessage.get(message.id) ?? [];
  return messages;
}

export interface ConversationRow {
  id: number;
  subject: string;
  patient: Patient | null;
  created_at: Date;
  last_activity_at: Date;
  last_seq: number;
}

export function toConversationRecord(
  r: ConversationRow,
  participants: ParticipantView[],
): ConversationRecord {
  return {
    id: Number(r.id),
    subject: r.subject,
    patient: r.patient,
    createdAt: new Date(r.created_at).toISOString(),
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
    lastSeq: r.last_seq,
    participants,
  };
}
