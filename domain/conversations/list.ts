import type { AppContext } from '../context';
import { patientFilterKey } from '../patients';
import { type Reader, readerConversationIdsSql } from './access';
import { fieldError, notFound } from './errors';
import { CONVERSATION_COLUMNS } from './load';
import {
  authorRef,
  type ParticipantRef,
  participantsOf,
  refKey,
  resolveRecipients,
} from './participants';
import {
  type ConversationRecord,
  type ConversationRow,
  type MessageRecord,
  messagesQuery,
  toConversationRecord,
  toMessageRecord,
  withAttachments,
} from './records';

export interface ConversationSummary extends ConversationRecord {
  lastMessage: MessageRecord | null;
  lastReadSeq: number;
  unreadCount: number;
}

export interface ListOptions {
  limit?: number;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string;
  /** Only conversations about this patient (INS matricule or free-text reference). */
  patientIns?: string;
  patientReference?: string;
  /** Only conversations in which this structure participates. */
  structureId?: number;
  /** Only conversations with activity (message, participant change) at or after this time. */
  activeSince?: Date;
  /** Only this conversation (the detail view). */
  conversationId?: number;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
  /** The database clock when the page was read: a client's next `activeSince` watermark. */
  serverTime: string;
}

const encodeCursor = (at: Date, id: number) =>
  Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

function decodeCursor(cursor: string): [Date, number] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  const num = Number(id);
  if (Number.isNaN(date.getTime()) || !Number.isSafeInteger(num)) {
    throw fieldError('cursor', 'Invalid cursor');
  }
  return [date, num];
}

/**
 * The reader's conversations (S1): those where they, or a structure they are attached to,
 * participate; most recent activity first; with participants, last message and unread count.
 */
export async function listConversations(
  ctx: AppContext,
  reader: Reader,
  options: ListOptions = {},
): Promise<ConversationPage> {
  const { db } = ctx;
  const limit = options.limit ?? 20;
  const query = db('conversations as c')
    .leftJoin('read_markers as rm', (j) =>
      j.on('rm.conversation_id', 'c.id').andOnVal('rm.account_id', reader.accountId),
    )
    .whereRaw('c.id IN (?)', [readerConversationIdsSql(db, reader)])
    .select(
      ...CONVERSATION_COLUMNS.map((c) => `c.${c}`),
      db.raw('coalesce(rm.last_read_seq, 0) AS last_read_seq'),
    )
    .orderBy([
      { column: 'c.last_activity_at', order: 'desc' },
      { column: 'c.id', order: 'desc' },
    ])
    .limit(limit + 1);
  const patient = patientFilterKey(options);
  if (patient) query.where('c.patient_key', patient);
  if (options.structureId) {
    query.whereExists(
      db('conversation_participants as ps')
        .whereRaw('ps.conversation_id = c.id')
        .where('ps.structure_id', options.structureId)
        .whereNull('ps.left_at'),
    );
  }
  if (options.conversationId) query.where('c.id', options.conversationId);
  if (options.activeSince) query.where('c.last_activity_at', '>=', options.activeSince);
  if (options.cursor) {
    const [at, id] = decodeCursor(options.cursor);
    query.whereRaw('(c.last_activity_at, c.id) < (?, ?)', [at, id]);
  }

  const [rows, clock] = await Promise.all([
    query as Promise<Array<ConversationRow & { last_read_seq: number }>>,
    db.raw('SELECT clock_timestamp() AS now'),
  ]);
  const page = rows.slice(0, limit);
  const ids = page.map((r) => Number(r.id));
  const [participants, lastMessages] = await Promise.all([
    participantsOf(db, ids, ctx.config.inactivityDays),
    ids.length
      ? messagesQuery(db).whereRaw(
          '(m.conversation_id, m.seq) IN (SELECT id, last_seq FROM conversations WHERE id = ANY(?))',
          [ids],
        )
      : Promise.resolve([]),
  ]);
  const lastRecords = await withAttachments(db, lastMessages.map(toMessageRecord));
  const lastById = new Map(lastRecords.map((m) => [m.conversationId, m]));
  const last = page[page.length - 1];
  return {
    conversations: page.map((r) => ({
      ...toConversationRecord(r, participants.get(Number(r.id)) ?? []),
      lastMessage: lastById.get(Number(r.id)) ?? null,
      lastReadSeq: r.last_read_seq,
      unreadCount: Math.max(r.last_seq - r.last_read_seq, 0),
    })),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(new Date(last.last_activity_at), Number(last.id))
        : null,
    serverTime: new Date(clock.rows[0].now).toISOString(),
  };
}

/** One conversation as in the list, or 404 when the reader may not see it. */
export async function getConversation(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
): Promise<ConversationSummary> {
  const page = await listConversations(ctx, reader, { conversationId, limit: 1 });
  const found = page.conversations[0];
  if (!found) throw notFound();
  return found;
}

export interface ExistingConversation {
  id: number;
  subject: string;
  lastActivityAt: string;
  patient: ConversationRecord['patient'];
}

/**
 * S17: the reader's conversations whose current participants are exactly the author's seat
 * plus these recipients, optionally about the same patient, most recent first.
 */
export async function findExistingConversations(
  ctx: AppContext,
  reader: Reader,
  input: {
    recipients: ParticipantRef[];
    onBehalfOf?: number | null;
    patientIns?: string;
    patientReference?: string;
  },
): Promise<ExistingConversation[]> {
  const { db } = ctx;
  const self = await authorRef(db, reader, input.onBehalfOf);
  const recipients = await resolveRecipients(db, input.recipients);
  const keys = [...new Set([self, ...recipients].map(refKey))].sort();
  const keySql = `CASE p.kind WHEN 'professional' THEN 'professional:' || p.professional_id
    WHEN 'structure' THEN 'structure:' || p.structure_id ELSE 'account:' || p.account_id END`;
  const query = db('conversations as c')
    .join('conversation_participants as p', 'p.conversation_id', 'c.id')
    .whereNull('p.left_at')
    .whereRaw('c.id IN (?)', [readerConversationIdsSql(db, reader)])
    .groupBy('c.id')
    .havingRaw(`array_agg(${keySql} ORDER BY ${keySql} COLLATE "C") = ?::text[]`, [keys])
    .select('c.id', 'c.subject', 'c.last_activity_at', 'c.patient')
    .orderBy('c.last_activity_at', 'desc')
    .limit(20);
  const patient = patientFilterKey(input);
  if (patient) query.where('c.patient_key', patient);
  const rows = await query;
  return rows.map((r: ConversationRow) => ({
    id: Number(r.id),
    subject: r.subject,
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
    patient: r.patient,
  }));
}
