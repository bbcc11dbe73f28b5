import type { Knex } from 'knex';
import type { AttachmentKind, AttachmentRecord, AttachmentStatus, RejectReason } from './types';

export interface AttachmentRow {
  id: string;
  owner_account_id: number | string;
  conversation_id: number | string | null;
  message_id: string | null;
  position: number | null;
  file_name: string;
  declared_type: string;
  media_type: string | null;
  kind: AttachmentKind | null;
  size: number | string;
  received: number | string;
  sha256: string | null;
  status: AttachmentStatus;
  reason: RejectReason | null;
  scanned: boolean;
  served_type: string | null;
  served_size: number | string | null;
  has_thumbnail: boolean;
  width: number | null;
  height: number | null;
  duration_seconds: number | null;
  created_at: Date;
  uploaded_at: Date | null;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

export function toAttachmentRecord(r: AttachmentRow): AttachmentRecord {
  return {
    id: r.id,
    ownerAccountId: Number(r.owner_account_id),
    conversationId: num(r.conversation_id),
    messageId: r.message_id,
    name: r.file_name,
    size: Number(r.size),
    mediaType: r.media_type ?? r.declared_type,
    kind: r.kind,
    status: r.status,
    reason: r.reason,
    scanned: r.scanned,
    received: Number(r.received),
    width: r.width,
    height: r.height,
    durationSeconds: r.duration_seconds,
    hasThumbnail: r.has_thumbnail,
    servedType: r.served_type,
    servedSize: num(r.served_size),
  };
}

/** The attachments of these messages, by message id, in the order the sender chose. */
export async function attachmentsOfMessages(
  db: Knex,
  messageIds: string[],
): Promise<Map<string, AttachmentRecord[]>> {
  const byMessage = new Map<string, AttachmentRecord[]>();
  if (messageIds.length === 0) return byMessage;
  const rows: AttachmentRow[] = await db('attachments')
    .whereIn('message_id', messageIds)
    .orderBy([{ column: 'message_id' }, { column: 'position' }]);
  for (const row of rows) {
    const record = toAttachmentRecord(row);
    const list = byMessage.get(row.message_id as string) ?? [];
    list.push(record);
    byMessage.set(row.message_id as string, list);
  }
  return byMessage;
}

/** Storage keys, built from ids only. */
export const keys = {
  chunksOf: (id: string) => `uploads/${id}/`,
  chunk: (id: string, start: number, token: string) =>
    `uploads/${id}/${String(start).padStart(15, '0')}-${token}`,
  filesOf: (id: string) => `files/${id}/`,
  file: (id: string) => `files/${id}/file`,
  thumbnail: (id: string) => `files/${id}/thumbnail`,
};
