import type { Knex } from 'knex';
import { type Reader, readerSeatSql } from '../conversations/access';
import { attachmentNotFound } from './errors';
import type { AttachmentRow } from './records';

/**
 * May this reader see this file now? Its owner always (their own upload, even refused);
 * anyone else only once it is part of a sent message in a conversation they read now —
 * so leaving a conversation, or being detached from a structure, cuts access at once —
 * and never a refused file. Everything else is a 404: ids reveal nothing.
 */
export async function readableAttachment(
  db: Knex,
  reader: Reader,
  id: string,
): Promise<AttachmentRow> {
  const row: AttachmentRow | undefined = await db('attachments').where({ id }).first();
  if (!row) throw attachmentNotFound();
  if (Number(row.owner_account_id) === reader.accountId) {
    // The owner who left the conversation loses it like everyone else.
    if (!row.message_id) return row;
  } else if (!row.message_id || row.status === 'rejected' || row.status === 'infected') {
    throw attachmentNotFound();
  }
  const seat = await db('conversation_participants as p')
    .where('p.conversation_id', row.conversation_id)
    .whereRaw(readerSeatSql(db, reader))
    .first('p.id');
  if (!seat) throw attachmentNotFound();
  return row;
}

/** The reader behind a signed URL: an active account, looked up on every request. */
export async function readerOfAccount(db: Knex, accountId: number): Promise<Reader | null> {
  const account = await db('accounts')
    .where({ id: accountId })
    .whereNull('disabled_at')
    .first('id', 'professional_id');
  if (!account) return null;
  return {
    accountId: Number(account.id),
    professionalId: account.professional_id === null ? null : Number(account.professional_id),
  };
}
