import type { Knex } from 'knex';
import { notFound } from './errors';

/**
 * Who may read a conversation: a participant in person (their professional id, or their
 * account for accounts without one, such as bots), or a member of a participating structure.
 * Every rule below is evaluated against the database at the time of the request, so a member
 * detached from a structure, or a participant who left, loses access at once.
 */
export interface Reader {
  accountId: number;
  professionalId: number | null;
}

/** SQL condition on `conversation_participants as <alias>` matching the reader's seats. */
export function readerSeatSql(db: Knex, reader: Reader, alias = 'p'): Knex.Raw {
  return db.raw(
    `(${alias}.left_at IS NULL AND (${alias}.account_id = ? OR ${alias}.professional_id = ?
       OR ${alias}.structure_id IN (SELECT structure_id FROM structure_members WHERE account_id = ?)))`,
    [reader.accountId, reader.professionalId ?? -1, reader.accountId],
  );
}

/**
 * The ids of the conversations the reader may see, as a subquery: one branch per way of
 * taking part, each served by its own index (an OR across them would scan the table).
 */
export function readerConversationIdsSql(db: Knex, reader: Reader): Knex.Raw {
  return db.raw(
    `SELECT conversation_id FROM conversation_participants
      WHERE professional_id = ? AND left_at IS NULL
     UNION
     SELECT conversation_id FROM conversation_participants
      WHERE account_id = ? AND left_at IS NULL
     UNION
     SELECT p.conversation_id FROM structure_members m
       JOIN conversation_participants p ON p.structure_id = m.structure_id AND p.left_at IS NULL
      WHERE m.account_id = ?`,
    [reader.professionalId ?? -1, reader.accountId, reader.accountId],
  );
}

/** Where the reader sits in a conversation: in person, and/or through these structures. */
export interface Seats {
  personal: boolean;
  structureIds: number[];
}

export async function seatsOf(db: Knex, reader: Reader, conversationId: number): Promise<Seats> {
  const rows: Array<{ kind: string; structure_id: number | null }> = await db(
    'conversation_participants as p',
  )
    .where('p.conversation_id', conversationId)
    .whereRaw(readerSeatSql(db, reader))
    .select('p.kind', 'p.structure_id');
  return {
    personal: rows.some((r) => r.kind !== 'structure'),
    structureIds: rows.filter((r) => r.structure_id !== null).map((r) => r.structure_id as number),
  };
}

/** The reader's seats, or 404 when they may not read the conversation (or it does not exist). */
export async function requireSeats(
  db: Knex,
  reader: Reader,
  conversationId: number,
): Promise<Seats> {
  const seats = await seatsOf(db, reader, conversationId);
  if (!seats.personal && seats.structureIds.length === 0) throw notFound();
  return seats;
}

/**
 * Every account that may read the conversation now: the audience of its realtime events.
 * Disabled accounts are left out; accounts without a live connection simply receive nothing.
 */
export async function audienceOf(db: Knex, conversationId: number): Promise<number[]> {
  const { rows } = await db.raw(AUDIENCE_SQL, [conversationId, conversationId, conversationId]);
  return (rows as Array<{ id: number }>).map((r) => Number(r.id));
}

/** The audience query, with three `?` bindings for the conversation id (also used inline). */
export const AUDIENCE_SQL = `SELECT a.id FROM conversation_participants p
      JOIN accounts a ON a.professional_id = p.professional_id
     WHERE p.conversation_id = ? AND p.left_at IS NULL AND a.disabled_at IS NULL
    UNION
    SELECT p.account_id FROM conversation_participants p
     WHERE p.conversation_id = ? AND p.left_at IS NULL AND p.account_id IS NOT NULL
    UNION
    SELECT m.account_id FROM conversation_participants p
      JOIN structure_members m ON m.structure_id = p.structure_id
     WHERE p.conversation_id = ? AND p.left_at IS NULL`;
