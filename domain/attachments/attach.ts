import type { Knex } from 'knex';
import { fieldError } from '../conversations/errors';
import type { AttachmentRow } from './records';
import { MAX_ATTACHMENTS_PER_MESSAGE, type RejectReason } from './types';

const REFUSED: Record<RejectReason, string> = {
  empty: 'it is empty',
  'type-not-allowed': 'its type is not allowed',
  'too-large': 'it is too large',
  'image-too-large': 'the image has too many pixels',
  unreadable: 'it cannot be read',
  malware: 'the antivirus refused it',
};

/**
 * Checks, before a message is stored, that every upload named can go with it: the sender's
 * own, complete, not refused, not sent already, and uploaded for this conversation or for
 * none (the new-conversation form). Each failure names the file, so the user knows which.
 */
export async function checkAttachable(
  db: Knex,
  ownerAccountId: number,
  ids: string[],
  conversationId: number | null,
  field = 'attachments',
): Promise<void> {
  if (ids.length === 0) return;
  if (ids.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw fieldError(field, `A message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`);
  }
  if (new Set(ids).size !== ids.length) throw fieldError(field, 'A file is listed twice');
  const rows: AttachmentRow[] = await db('attachments').whereIn('id', ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of ids) {
    const row = byId.get(id);
    if (!row || Number(row.owner_account_id) !== ownerAccountId) {
      throw fieldError(field, `File ${id} was not found among your uploads`);
    }
    const name = `"${row.file_name}"`;
    if (row.status === 'uploading') {
      throw fieldError(field, `${name} has not finished uploading`);
    }
    if (row.status === 'rejected' || row.status === 'infected') {
      throw fieldError(field, `${name} was refused: ${REFUSED[row.reason ?? 'unreadable']}`);
    }
    if (row.message_id) throw fieldError(field, `${name} was already sent`);
    if (
      conversationId !== null &&
      row.conversation_id !== null &&
      Number(row.conversation_id) !== conversationId
    ) {
      throw fieldError(field, `${name} was uploaded for another conversation`);
    }
  }
}

/** Links checked uploads to a message in the caller's transaction (the create path). */
export async function linkAttachments(
  trx: Knex.Transaction,
  ownerAccountId: number,
  ids: string[],
  messageId: string,
  conversationId: number,
): Promise<void> {
  if (ids.length === 0) return;
  await trx('attachments')
    .whereIn('id', ids)
    .where('owner_account_id', ownerAccountId)
    .whereNull('message_id')
    .update({
      message_id: messageId,
      conversation_id: conversationId,
      position: trx.raw('array_position(?::uuid[], id)', [ids]),
    });
}

/**
 * The same link inside the single statement that sends a message (a data-modifying CTE
 * over `m`, the inserted message): `$2` sender, `$1` conversation, `$7` the uuid[] of files.
 */
export const LINK_CTE = `att AS (
    UPDATE attachments SET message_id = m.id, conversation_id = m.conversation_id,
           position = array_position($7::uuid[], attachments.id)
      FROM m
     WHERE attachments.id = ANY($7::uuid[]) AND attachments.owner_account_id = $2
       AND attachments.message_id IS NULL AND attachments.status IN ('pending', 'ready')
       AND (attachments.conversation_id IS NULL OR attachments.conversation_id = $1)
    RETURNING attachments.id
  )`;
