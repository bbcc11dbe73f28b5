import type { Knex } from 'knex';
import { participantsOf } from './participants';
import { type ConversationRecord, type ConversationRow, toConversationRecord } from './records';

export const CONVERSATION_COLUMNS = [
  'id',
  'subject',
  'patient',
  'created_at',
  'last_activity_at',
  'last_seq',
] as const;

/** One conversation with its current participants (no access check: callers do it). */
export async function loadConversation(
  db: Knex,
  id: number,
  inactivityDays: number,
): Promise<ConversationRecord> {
  const row: ConversationRow = await db('conversations')
    .where({ id })
    .first(...CONVERSATION_COLUMNS);
  const participants = await participantsOf(db, [id], inactivityDays);
  return toConversationRecord(row, participants.get(id) ?? []);
}

/** The SQL that stamps activity: millisecond precision, so cursors round-trip through Date. */
export const NOW_MS = "date_trunc('milliseconds', clock_timestamp())";
