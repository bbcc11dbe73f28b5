import type { Readable } from 'node:stream';
import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  appendChunk,
  cancelUpload,
  createUpload,
  type NewUpload,
  ownUpload,
  toAttachmentRecord,
} from '../../../domain/attachments';
import { presentAttachment } from '../../presenters/attachment';
import { ctxOf, viewerOf } from '../../types';
import { newUpload, uploadParams } from './schemas';

/** What the client sends per PATCH (8 MB): at most one chunk is sent twice after a drop. */
const CHUNK = 8 * 1024 * 1024;

export const createUploadRoute: ServerRoute = {
  method: 'POST',
  path: '/api/uploads',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'files:write' } },
    description: 'Start a resumable upload (issue 11, docs/attachments.md)',
    notes:
      '413 over the size limit (25 MB, 200 MB for a declared video), 429 over the daily ' +
      'volume. Then PATCH the bytes in chunks with Upload-Offset.',
    validate: { payload: newUpload },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const viewer = viewerOf(request);
    const upload = await createUpload(ctx, viewer, request.payload as NewUpload);
    return h
      .response({
        upload: presentAttachment(upload, viewer),
        chunkSize: Math.min(CHUNK, ctx.config.attachments.chunkMaxBytes),
      })
      .code(201)
      .header('Location', `/api/uploads/${upload.id}`)
      .header('Upload-Offset', '0')
      .header('Upload-Length', String(upload.size));
  },
};

export const appendUploadRoute: ServerRoute = {
  method: 'PATCH',
  path: '/api/uploads/{id}',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'files:write' } },
    description: 'Send the next bytes of an upload (tus-style, Upload-Offset)',
    notes:
      'Body: raw bytes (application/offset+octet-stream), streamed to storage, never held ' +
      'in memory. 409 with `offset` when Upload-Offset is not the server’s; 413 past the ' +
      'declared size (the upload is deleted); 503 when storage is unreachable.',
    // Raw and streamed: hapi would otherwise buffer (multipart buffers even as a stream).
    payload: {
      output: 'stream',
      parse: false,
      maxBytes: Number.MAX_SAFE_INTEGER, // counted by appendChunk, per upload and per chunk
      timeout: false,
    },
    validate: {
      params: uploadParams,
      headers: Joi.object({
        'upload-offset': Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required(),
      }).unknown(true),
      // No payload schema: the body is raw bytes (hapi refuses one on an unparsed payload),
      // counted as they stream against the declared size; the worker checks the rest.
    },
  },
  async handler(request, h) {
    const viewer = viewerOf(request);
    const { id } = request.params as { id: string };
    const offset = Number(request.headers['upload-offset']);
    const upload = await appendChunk(
      ctxOf(request),
      viewer,
      id,
      offset,
      request.payload as Readable,
    );
    return h
      .response({ upload: presentAttachment(upload, viewer) })
      .header('Upload-Offset', String(upload.received))
      .header('Upload-Length', String(upload.size));
  },
};

export const getUploadRoute: ServerRoute = {
  method: 'GET',
  path: '/api/uploads/{id}',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'files:write' } },
    description: 'Where an upload stands (HEAD gives Upload-Offset to resume)',
    validate: { params: uploadParams },
  },
  async handler(request, h) {
    const viewer = viewerOf(request);
    const { id } = request.params as { id: string };
    const upload = toAttachmentRecord(await ownUpload(ctxOf(request), viewer, id));
    return h
      .response({ upload: presentAttachment(upload, viewer) })
      .header('Upload-Offset', String(upload.received))
      .header('Upload-Length', String(upload.size));
  },
};

export const cancelUploadRoute: ServerRoute = {
  method: 'DELETE',
  path: '/api/uploads/{id}',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'files:write' } },
    description: 'Cancel an upload not yet sent in a message (its bytes are deleted)',
    validate: { params: uploadParams },
  },
  async handler(request, h) {
    const { id } = request.params as { id: string };
    await cancelUpload(ctxOf(request), viewerOf(request), id);
    return h.response().code(204);
  },
};
