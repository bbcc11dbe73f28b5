import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { audienceOf, type Reader, requireSeats } from './access';
import { notFound } from './errors';

export interface ReadMarker {
  accountId: number;
  firstName: string;
  lastName: string;
  lastReadSeq: number;
  readAt: string | null;
  /** How far this reader's devices have received the conversation (≥ lastReadSeq). */
  lastDeliveredSeq: number;
  deliveredAt: string | null;
}

type MarkerKind = 'read' | 'delivered';

/**
 * Moves the reader's read or delivery marker up to a sequence number (never backwards,
 * never past the last message; reading implies delivery). State is per account, so each
 * member of a structure has their own. Everyone who may read the conversation is told
 * (read and delivery receipts) when a marker moved.
 */
async function moveMarker(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  seq: number,
  kind: MarkerKind,
): Promise<{ lastReadSeq: number; lastDeliveredSeq: number; unreadCount: number }> {
  const { db } = ctx;
  await requireSeats(db, reader, conversationId);
  const conversation = await db('conversations').where({ id: conversationId }).first('last_seq');
  if (!conversation) throw notFound();
  const target = Math.min(seq, conversation.last_seq as number);
  const read = kind === 'read' ? target : 0;
  const { rows } = await db.raw(
    `INSERT INTO read_markers AS r (conversation_id, account_id, last_read_seq, read_at, delivered_seq, delivered_at)
     VALUES (?, ?, ?, now(), ?, now())
     ON CONFLICT (conversation_id, account_id) DO UPDATE SET
       last_read_seq = GREATEST(r.last_read_seq, EXCLUDED.last_read_seq),
       read_at = CASE WHEN EXCLUDED.last_read_seq > r.last_read_seq THEN now() ELSE r.read_at END,
       delivered_seq = GREATEST(r.delivered_seq, EXCLUDED.delivered_seq),
       delivered_at = CASE WHEN EXCLUDED.delivered_seq > r.delivered_seq THEN now() ELSE r.delivered_at END
       WHERE ${kind === 'read' ? 'r.last_read_seq < EXCLUDED.last_read_seq' : 'r.delivered_seq < EXCLUDED.delivered_seq'}
     RETURNING last_read_seq, read_at, delivered_seq, delivered_at`,
    [conversationId, reader.accountId, read, target],
  );
  const moved = rows[0] as
    | { last_read_seq: number; read_at: Date; delivered_seq: number; delivered_at: Date }
    | undefined;
  const current =
    moved ??
    (await db('read_markers')
      .where({ conversation_id: conversationId, account_id: reader.accountId })
      .first('last_read_seq', 'read_at', 'delivered_seq', 'delivered_at'));
  const lastReadSeq: number = current?.last_read_seq ?? 0;
  const lastDeliveredSeq: number = current?.delivered_seq ?? 0;
  if (moved) {
    const account = await db('accounts')
      .where({ id: reader.accountId })
      .first('first_name', 'last_name');
    await publishEvent(ctx, await audienceOf(db, conversationId), {
      type: 'read.updated',
      conversationId,
      reader: {
        accountId: reader.accountId,
        firstName: account?.first_name ?? '',
        lastName: account?.last_name ?? '',
      },
      lastReadSeq,
      readAt: new Date(moved.read_at).toISOString(),
      lastDeliveredSeq,
      deliveredAt: moved.delivered_at ? new Date(moved.delivered_at).toISOString() : null,
    });
  }
  return {
    lastReadSeq,
    lastDeliveredSeq,
    unreadCount: Math.max(conversation.last_seq - lastReadSeq, 0),
  };
}

/** "Mark as read" up to `seq` (read receipts). */
export function markRead(ctx: AppContext, reader: Reader, conversationId: number, seq: number) {
  return moveMarker(ctx, reader, conversationId, seq, 'read');
}

/** "Received up to `seq`" — sent by the client library for what it receives (delivery receipts). */
export function markDelivered(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  seq: number,
) {
  return moveMarker(ctx, reader, conversationId, seq, 'delivered');
}

/**
 * Read markers of everyone who may still read the conversation: with them the sender sees
 * who has read each message (a message is read by whoever's lastReadSeq ≥ its seq).
 */
export async function readMarkers(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  { minSeq = 0, excludeAccountId }: { minSeq?: number; excludeAccountId?: number } = {},
): Promise<ReadMarker[]> {
  const { db } = ctx;
  await requireSeats(db, reader, conversationId);
  const audience = await audienceOf(db, conversationId);
  const rows = await db('read_markers as r')
    .join('accounts as a', 'a.id', 'r.account_id')
    .where('r.conversation_id', conversationId)
    .whereIn('r.account_id', audience)
    .whereRaw('GREATEST(r.delivered_seq, r.last_read_seq) >= ?', [minSeq])
    .modify((q) => {
      if (excludeAccountId) q.whereNot('r.account_id', excludeAccountId);
    })
    .orderBy('r.read_at', 'asc')
    .select(
      'r.account_id',
      'a.first_name',
      'a.last_name',
      'r.last_read_seq',
      'r.read_at',
      'r.delivered_seq',
      'r.delivered_at',
    );
  return rows.map(
    (r: {
      account_id: number;
      first_name: string;
      last_name: string;
      last_read_seq: number;
      read_at: Date;
      delivered_seq: number;
      delivered_at: Date | null;
    }) => ({
      accountId: Number(r.account_id),
      firstName: r.first_name,
      lastName: r.last_name,
      lastReadSeq: r.last_read_seq,
      readAt: r.last_read_seq > 0 ? new Date(r.read_at).toISOString() : null,
      lastDeliveredSeq: Math.max(r.delivered_seq, r.last_read_seq),
      deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
    }),
  );
}

/**
 * The receipts of one message, its sender left out: who has read it, and who has received
 * it (read or not yet).
 */
export async function messageReaders(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  messageId: string,
): Promise<{ readBy: ReadMarker[]; deliveredTo: ReadMarker[] }> {
  await requireSeats(ctx.db, reader, conversationId);
  const message = await ctx
    .db('messages')
    .where({ id: messageId, conversation_id: conversationId })
    .first('seq', 'sender_account_id');
  if (!message) throw notFound();
  const deliveredTo = await readMarkers(ctx, reader, conversationId, {
    minSeq: message.seq,
    excludeAccountId: message.sender_account_id ?? undefined,
  });
  return { readBy: deliveredTo.filter((m) => m.lastReadSeq >= message.seq), deliveredTo };
}
