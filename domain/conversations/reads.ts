import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { audienceOf, type Reader, requireSeats } from './access';
import { notFound } from './errors';

export interface ReadMarker {
  accountId: number;
  firstName: string;
  lastName: string;
  lastReadSeq: number;
  readAt: string;
}

/**
 * "Mark as read" up to a sequence number (never backwards, never past the last message).
 * Read state is per account, so each member of a structure has their own. The other
 * readers are told (read receipts) when the marker moved.
 */
export async function markRead(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  seq: number,
): Promise<{ lastReadSeq: number; unreadCount: number }> {
  const { db } = ctx;
  await requireSeats(db, reader, conversationId);
  const conversation = await db('conversations').where({ id: conversationId }).first('last_seq');
  if (!conversation) throw notFound();
  const target = Math.min(seq, conversation.last_seq as number);
  const before = await db('read_markers')
    .where({ conversation_id: conversationId, account_id: reader.accountId })
    .first('last_read_seq');
  const { rows } = await db.raw(
    `INSERT INTO read_markers (conversation_id, account_id, last_read_seq, read_at)
     VALUES (?, ?, ?, now())
     ON CONFLICT (conversation_id, account_id) DO UPDATE
       SET last_read_seq = EXCLUDED.last_read_seq, read_at = EXCLUDED.read_at
       WHERE read_markers.last_read_seq < EXCLUDED.last_read_seq
     RETURNING last_read_seq, read_at`,
    [conversationId, reader.accountId, target],
  );
  const moved = rows[0] as { last_read_seq: number; read_at: Date } | undefined;
  const lastReadSeq = moved?.last_read_seq ?? (before?.last_read_seq as number | undefined) ?? 0;
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
    });
  }
  return { lastReadSeq, unreadCount: Math.max(conversation.last_seq - lastReadSeq, 0) };
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
    .where('r.last_read_seq', '>=', minSeq)
    .modify((q) => {
      if (excludeAccountId) q.whereNot('r.account_id', excludeAccountId);
    })
    .orderBy('r.read_at', 'asc')
    .select('r.account_id', 'a.first_name', 'a.last_name', 'r.last_read_seq', 'r.read_at');
  return rows.map(
    (r: {
      account_id: number;
      first_name: string;
      last_name: string;
      last_read_seq: number;
      read_at: Date;
    }) => ({
      accountId: Number(r.account_id),
      firstName: r.first_name,
      lastName: r.last_name,
      lastReadSeq: r.last_read_seq,
      readAt: new Date(r.read_at).toISOString(),
    }),
  );
}

/** Who has read one message (its sender left out): the receipts the sender sees. */
export async function messageReaders(
  ctx: AppContext,
  reader: Reader,
  conversationId: number,
  messageId: string,
): Promise<ReadMarker[]> {
  await requireSeats(ctx.db, reader, conversationId);
  const message = await ctx
    .db('messages')
    .where({ id: messageId, conversation_id: conversationId })
    .first('seq', 'sender_account_id');
  if (!message) throw notFound();
  return readMarkers(ctx, reader, conversationId, {
    minSeq: message.seq,
    excludeAccountId: message.sender_account_id ?? undefined,
  });
}
