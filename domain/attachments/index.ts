export { readableAttachment, readerOfAccount } from './access';
export { checkAttachable } from './attach';
export { type AttachmentsConfig, DEV_FILES_URL_SECRET } from './config';
export { attachmentNotFound, storageUnavailable } from './errors';
export { purgeUnattached, sweepPending } from './housekeeping';
export { contentDisposition, sanitiseFileName } from './names';
export { announce, type ProcessDeps, type ProcessOutcome, processAttachment } from './process';
export { type AttachmentRow, attachmentsOfMessages, keys, toAttachmentRecord } from './records';
export { type OpenedFile, openFile } from './serve';
export {
  attachmentsQueue,
  closeAttachments,
  enqueueProcessing,
  PROCESS_ATTEMPTS,
  processJobId,
  storageOf,
  useStorage,
} from './service';
export * from './storage';
export * from './types';
export {
  appendChunk,
  cancelUpload,
  createUpload,
  deleteUpload,
  type NewUpload,
  ownUpload,
  sizeLimit,
} from './uploads';
export { createFileUrls, type FileUrls, type FileVariant, type SignedUrl } from './urls';
