/**
 * Attachments as the domain hands them out (JSON-safe, the same in a REST response and in
 * a realtime event). The server's presenter adds, per reader, short-lived signed URLs and
 * hides files refused for anyone but their sender.
 */
export type AttachmentStatus = 'uploading' | 'pending' | 'ready' | 'rejected' | 'infected';
export type AttachmentKind = 'image' | 'video' | 'audio' | 'document';

/**
 * Why a file was refused, as a code the interface translates (fr/en). Never the scanner's
 * signature name or a tool's message: those go to the logs.
 */
export type RejectReason =
  | 'empty' // zero bytes
  | 'type-not-allowed' // the bytes are not one of the allowed types (declared type ignored)
  | 'too-large' // over the limit for its real type
  | 'image-too-large' // more pixels than allowed (decompression bomb)
  | 'unreadable' // truncated or corrupt, or a format this server cannot decode (most HEIC)
  | 'malware'; // the antivirus found something (status `infected`)

export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

export interface AttachmentRecord {
  id: string;
  ownerAccountId: number;
  conversationId: number | null;
  messageId: string | null;
  /** Sanitised name, as chosen by the sender. */
  name: string;
  /** Bytes of the upload (the declared length). */
  size: number;
  /** Detected from the bytes once processed; the declared type before. */
  mediaType: string;
  kind: AttachmentKind | null;
  status: AttachmentStatus;
  reason: RejectReason | null;
  /** False when no antivirus was configured (development only): shown as "non analysé". */
  scanned: boolean;
  /** Bytes received so far (resumable upload). */
  received: number;
  width: number | null;
  height: number | null;
  durationSeconds: number | null;
  hasThumbnail: boolean;
  /** Size and type of what is served (re-encoded images and videos differ from the upload). */
  servedType: string | null;
  servedSize: number | null;
}
