import type { AttachmentRecord, FileUrls } from '../../domain/attachments';

/**
 * A file as one reader sees it: signed URLs for that reader when it is ready, nothing of
 * the storage. Files refused (or not yet sent) exist only for their sender: presentFiles
 * leaves them out for everyone else.
 */
export interface FileViewer {
  accountId: number;
  /** Absent where no URL is needed (conversation list previews). */
  files?: FileUrls;
}

export function presentAttachment(attachment: AttachmentRecord, viewer: FileViewer) {
  const ready = attachment.status === 'ready';
  const file =
    ready && viewer.files ? viewer.files.sign(attachment.id, 'file', viewer.accountId) : null;
  const thumbnail =
    ready && attachment.hasThumbnail && viewer.files
      ? viewer.files.sign(attachment.id, 'thumbnail', viewer.accountId)
      : null;
  return {
    id: attachment.id,
    name: attachment.name,
    size: attachment.size,
    mediaType: attachment.mediaType,
    kind: attachment.kind,
    status: attachment.status,
    reason: attachment.reason,
    scanned: attachment.scanned,
    received: attachment.received,
    width: attachment.width,
    height: attachment.height,
    durationSeconds: attachment.durationSeconds,
    url: file?.url ?? null,
    thumbnailUrl: thumbnail?.url ?? null,
    // Only re-encoded images and videos are shown inline; everything else downloads.
    download: !(attachment.kind === 'image' || attachment.kind === 'video'),
    urlExpiresAt: file?.expiresAt ?? null,
  };
}

export type AttachmentView = ReturnType<typeof presentAttachment>;

/** Whether this reader may see the file at all (in a message or an event). */
export function visibleTo(attachment: AttachmentRecord, viewer: FileViewer): boolean {
  if (attachment.ownerAccountId === viewer.accountId) return true;
  return (
    attachment.messageId !== null &&
    attachment.status !== 'rejected' &&
    attachment.status !== 'infected'
  );
}

export function presentFiles(attachments: AttachmentRecord[], viewer: FileViewer) {
  return attachments.filter((a) => visibleTo(a, viewer)).map((a) => presentAttachment(a, viewer));
}
