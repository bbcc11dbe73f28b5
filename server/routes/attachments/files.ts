import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  contentDisposition,
  type FileVariant,
  openFile,
  readableAttachment,
  toAttachmentRecord,
} from '../../../domain/attachments';
import { presentAttachment } from '../../presenters/attachment';
import { ctxOf, viewerOf } from '../../types';
import { id } from '../../validation';
import { uploadParams } from './schemas';

export const getAttachmentRoute: ServerRoute = {
  method: 'GET',
  path: '/api/attachments/{id}',
  options: {
    tags: ['api'],
    plugins: { relais: { botScope: 'messages:read' } },
    description: 'A file as the reader sees it, with fresh signed URLs',
    notes: 'For readers of its conversation, or its owner; 404 for anyone else.',
    validate: { params: uploadParams },
  },
  async handler(request) {
    const viewer = viewerOf(request);
    const { id: fileId } = request.params as { id: string };
    const row = await readableAttachment(ctxOf(request).db, viewer, fileId);
    return { attachment: presentAttachment(toAttachmentRecord(row), viewer) };
  },
};

/** What a browser may do with a served file: nothing but show or save it. */
const FILE_CSP = "default-src 'none'; sandbox";

export const fileRoute: ServerRoute = {
  method: 'GET',
  path: '/files/{id}/{variant}',
  options: {
    // Public by design: an <img> cannot send the bearer header. The signed URL is the
    // credential, and the reader's access is checked again on every request.
    auth: false,
    plugins: { relais: { public: true } },
    description: 'A ready file or its thumbnail, through a signed URL (Range supported)',
    validate: {
      params: Joi.object({
        id: uploadParams.extract('id'),
        variant: Joi.string().valid('file', 'thumbnail').required(),
      }),
      query: Joi.object({
        exp: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required(),
        acc: id.required(),
        sig: Joi.string()
          .pattern(/^[A-Za-z0-9_-]{43}$/)
          .required(),
      }),
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const { id: fileId, variant } = request.params as { id: string; variant: FileVariant };
    const query = request.query as { exp: number; acc: number; sig: string };
    const verdict = request.server.app.files.verify(fileId, variant, query);
    if (!verdict) throw Boom.forbidden('This link is not valid');
    if ('expired' in verdict)
      throw Boom.forbidden('This link has expired: reload the conversation');
    const file = await openFile(
      ctx,
      verdict.accountId,
      fileId,
      variant,
      request.headers.range as string | undefined,
    );
    const { range, size } = file;
    const length = range ? range.end - range.start + 1 : size;
    const response = h
      .response(file.body)
      .code(range ? 206 : 200)
      .type(file.type)
      .header('Content-Length', String(length))
      .header('Accept-Ranges', 'bytes')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', FILE_CSP)
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      // Private: a shared proxy must not keep it; the URL expires anyway.
      .header('Cache-Control', `private, max-age=${ctx.config.attachments.urlTtlSeconds}`)
      .header(
        'Content-Disposition',
        contentDisposition(file.inline ? 'inline' : 'attachment', file.name),
      );
    if (range) response.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    // Already compressed formats, and a Content-Length that must stay true.
    response.compressed('identity');
    return response;
  },
};
