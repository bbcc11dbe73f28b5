import Boom from '@hapi/boom';
import { checkAttachable, LINK_CTE } from '../attachments/attach';
import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { MESSAGE_EVENTS_CTE, MESSAGE_EVENTS_TO_PUSH } from '../webhooks/outbox';
import { enqueueWebhooksAfterCommit } from '../webhooks/queue';
import { AUDIENCE_SQL, type Reader, requireSeats } from './access';
import { fieldError, notFound } from './errors';
import { NOW_MS } from './load';
import { runPrepared } from './prepared';
import {
  BODY_MAX,
  type MessageRecord,
  type MessageRow,
  messagesQuery,
  toMessageRecord,
  withAttachments,
} from './records';

/**
 * A message body: at most BODY_MAX characters, never truncated; not blank unless the
 * message carries files (S3: a photo alone is a message).
 */
export function checkBody(body: string, field = 'body', withFiles = false): string {
  if (!body.trim() && !withFiles) throw fieldError(field, 'A message cannot be empty');
  if (body.length > BODY_MAX) {
    throw fieldError(field, `A message is limited to ${BODY_MAX} characters`);
  }
  return body;
}

/** Postgres unique violation on a message id (a retried send racing itself). */
export function isDuplicateId(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'messages_pkey';
}

export interface NewMessage {
  id: string;
  body: string;
  /** Answer on behalf of this participating structure (the reader must be attached to it). */
  onBehalfOf?: number | null;
  /** Upload ids (issue 11), in display order. */
  attachments?: string[];
}

export interface SentMessage {
  message: MessageRecord;
  /** False when this id was already stored by the same sender: a retry, nothing new. */
  created: boolean;
}

// $1 conversation, $2 sender account, $3 sender professional, $4 onBehalfOf, $5 id, $6 body,
// $7 uuid[] of the attached uploads (checked beforehand by checkAttachable).
const SEND_SQL = `WITH seat AS (
    -- in person first (structure_id NULL), else the first structure the sender is in
    SELECT p.structure_id FROM conversation_participants p
     WHERE p.conversation_id = $1 AND p.left_at IS NULL
       AND (p.account_id = $2 OR p.professional_id = $3
            OR p.structure_id IN (SELECT structure_id FROM structure_members WHERE account_id = $2))
       AND ($4::bigint IS NULL OR p.structure_id = $4::bigint)
     ORDER BY p.structure_id NULLS FIRST
     LIMIT 1
  ), c AS (
    UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = ${NOW_MS}
     WHERE id = $1 AND EXISTS (SELECT 1 FROM seat) RETURNING id, last_seq
  ), m AS (
    INSERT INTO messages (id, conversation_id, seq, sender_account_id, structure_id, body)
    SELECT $5, c.id, c.last_seq, $2, (SELECT structure_id FROM seat), $6 FROM c
    RETURNING *
  ), r AS (
    INSERT INTO read_markers (conversation_id, account_id, last_read_seq, read_at, delivered_seq, delivered_at)
    SELECT m.conversation_id, m.sender_account_id, m.seq, now(), m.seq, now() FROM m
    ON CONFLICT (conversation_id, account_id) DO UPDATE
      SET last_read_seq = GREATEST(read_markers.last_read_seq, EXCLUDED.last_read_seq),
          read_at = now(),
          delivered_seq = GREATEST(read_markers.delivered_seq, EXCLUDED.delivered_seq),
          delivered_at = now()
  ), ${LINK_CTE}, ${MESSAGE_EVENTS_CTE}
  SELECT m.id, m.conversation_id, m.seq, m.body, m.created_at, m.sender_account_id,
         m.structure_id, a.first_name AS sender_first, a.last_name AS sender_last,
         a.identity_verified AS sender_verified, a.kind AS sender_kind,
         s.name AS structure_name, ARRAY(${AUDIENCE_SQL.replaceAll('?', '$1')}) AS audience,
         ${MESSAGE_EVENTS_TO_PUSH}
    FROM m
    LEFT JOIN accounts a ON a.id = m.sender_account_id
    LEFT JOIN structures s ON s.id = m.structure_id`;

/**
 * Sends a message. The sender answers in person when they are a participant in person,
 * otherwise (or when asked) on behalf of a participating structure they are attached to.
 *
 * One statement, hence one implicit transaction and one round trip on the hot path: the
 * seat is checked, the conversation row's lock gives the next seq, the message is stored,
 * the sender's read marker moves, and the audience is read. A duplicate id aborts it all
 * (nothing half-done, no seq gap). The event is published after commit.
 */
export async function sendMessage(
  ctx: AppContext,
  sender: Reader,
  conversationId: number,
  input: NewMessage,
): Promise<SentMessage> {
  const { db } = ctx;
  const files = input.attachments ?? [];
  const body = checkBody(input.body, 'body', files.length > 0);
  const onBehalfOf = input.onBehalfOf ?? null;
  await checkAttachable(db, sender.accountId, files, conversationId);
  let row: (MessageRow & { audience: number[]; webhook_events: string[] }) | undefined;
  try {
    [row] = await runPrepared<MessageRow & { audience: number[]; webhook_events: string[] }>(
      db,
      'relais_send_message',
      SEND_SQL,
      [
        conversationId,
        sender.accountId,
        sender.professionalId ?? -1,
        onBehalfOf,
        input.id,
        body,
        files,
      ],
    );
  } catch (err) {
    const again = isDuplicateId(err)
      ? await findRetry(ctx, sender, conversationId, input.id)
      : null;
    if (again) return again;
    throw err;
  }
  if (!row) {
    // Nothing stored: say why (404 for a stranger, 403 for a structure not theirs here).
    await requireSeats(db, sender, conversationId);
    if (onBehalfOf) {
      throw Boom.forbidden('You are not attached to this structure in this conversation');
    }
    throw notFound();
  }
  // The hot path reads the files back only when the message carries some.
  const message = toMessageRecord(row);
  if (files.length > 0) await withAttachments(db, [message]);
  await publishEvent(ctx, row.audience.map(Number), {
    type: 'message.created',
    conversationId,
    message,
  });
  // Bots' message.created events were stored by the statement (outbox): push them now.
  if (row.webhook_events.length) {
    await enqueueWebhooksAfterCommit(ctx, row.webhook_events.map(Number));
  }
  return { message, created: true };
}

async function findRetry(
  ctx: AppContext,
  sender: Reader,
  conversationId: number,
  id: string,
): Promise<SentMessage | null> {
  const row: MessageRow | undefined = await messagesQuery(ctx.db).where('m.id', id).first();
  if (!row) return null;
  if (
    Number(row.conversation_id) !== conversationId ||
    Number(row.sender_account_id) !== sender.accountId
  ) {
    throw Boom.conflict('This message id is already used');
  }
  const [message] = await withAttachments(ctx.db, [toMessageRecord(row)]);
  return { message: message as MessageRecord, created: false };
}

export interface MessagePage {
  messages: MessageRecord[];
  /** Older messages exist: ask again with before = messages[0].seq. */
  hasMoreBefore: boolean;
  /** Newer messages exist: ask again with after = the last seq. */
  hasMoreAfter: boolean;
  lastSeq: number;
  /** The reader's own read marker. */
  lastReadSeq: number;
}

/**
 * A page of messages in ascending seq order. `after` pages forward (catch-up after a
 * reconnect), `before` pages back (history); neither gives the latest page.
 */
export async function listMessages(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  { before, after, limit = 50 }: { before?: number; after?: number; limit?: number },
): Promise<MessagePage> {
  const { db } = ctx;
  await requireSeats(db, reader, conversationId);
  const conversation = await db('conversations').where({ id: conversationId }).first('last_seq');
  if (!conversation) throw notFound();
  const query = messagesQuery(db).where('m.conversation_id', conversationId).limit(limit);
  let rows: MessageRow[];
  if (after !== undefined) {
    rows = await query.where('m.seq', '>', after).orderBy('m.seq', 'asc');
  } else {
    if (before !== undefined) query.where('m.seq', '<', before);
    rows = (await query.orderBy('m.seq', 'desc')).reverse();
  }
  const marker = await db('read_markers')
    .where({ conversation_id: conversationId, account_id: reader.accountId })
    .first('last_read_seq');
  const lastSeq: number = conversation.last_seq;
  const first = rows[0]?.seq;
  const last = rows[rows.length - 1]?.seq;
  return {
    messages: await withAttachments(db, rows.map(toMessageRecord)),
    // Sequence numbers have no gaps, so the bounds tell whether more exist.
    hasMoreBefore: first !== undefined ? first > 1 : (after ?? 0) > 0 && lastSeq > 0,
    hasMoreAfter: last !== undefined ? last < lastSeq : (before ?? lastSeq + 1) <= lastSeq,
    lastSeq,
    lastReadSeq: marker?.last_read_seq ?? 0,
  };
}
