import type { ServerRoute } from '@hapi/hapi';
import { fileRoute, getAttachmentRoute } from './files';
import { appendUploadRoute, cancelUploadRoute, createUploadRoute, getUploadRoute } from './uploads';

/** Issue 11: resumable uploads, the reader's view of a file, and signed file URLs. */
export const attachmentRoutes: ServerRoute[] = [
  createUploadRoute,
  appendUploadRoute,
  getUploadRoute,
  cancelUploadRoute,
  getAttachmentRoute,
  fileRoute,
];
