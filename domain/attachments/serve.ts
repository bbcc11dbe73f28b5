import type { Readable } from 'node:stream';
import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { readableAttachment, readerOfAccount } from './access';
import { storageUnavailable } from './errors';
import { parseRange } from './range';
import { keys } from './records';
import { storageOf } from './service';
import { NotStoredError, StorageUnavailableError } from './storage';
import type { FileVariant } from './urls';

/** A file ready to stream to one reader, with what its response headers need. */
export interface OpenedFile {
  body: Readable;
  /** The whole object's size (Content-Range's total). */
  size: number;
  range: { start: number; end: number } | null;
  type: string;
  /** Shown in the browser (re-encoded images and videos, thumbnails) or downloaded. */
  inline: boolean;
  name: string;
}

/**
 * Opens a file for the account a signed URL was made for, checking again now that the
 * account is active, still reads the conversation, and that the file is ready. The same
 * rules whatever the entry point (the signed-URL route today).
 */
export async function openFile(
  ctx: AppContext,
  accountId: number,
  id: string,
  variant: FileVariant,
  rangeHeader: string | undefined,
): Promise<OpenedFile> {
  const reader = await readerOfAccount(ctx.db, accountId);
  if (!reader) throw Boom.forbidden('This link is not valid');
  const row = await readableAttachment(ctx.db, reader, id);
  if (row.status !== 'ready' || (variant === 'thumbnail' && !row.has_thumbnail)) {
    throw Boom.notFound('File not found');
  }
  const storage = await storageOf(ctx);
  const key = variant === 'file' ? keys.file(id) : keys.thumbnail(id);
  try {
    const stat = await storage.stat(key);
    if (!stat) throw Boom.notFound('File not found');
    const range = parseRange(rangeHeader, stat.size);
    if (range === 'unsatisfiable') {
      const error = Boom.rangeNotSatisfiable('The requested range is outside the file');
      error.output.headers['Content-Range'] = `bytes */${stat.size}`;
      throw error;
    }
    return {
      body: await storage.get(key, range ?? undefined),
      size: stat.size,
      range,
      type:
        variant === 'thumbnail' ? 'image/webp' : (row.served_type ?? 'application/octet-stream'),
      inline: variant === 'thumbnail' || row.kind === 'image' || row.kind === 'video',
      name: row.file_name,
    };
  } catch (err) {
    if (err instanceof NotStoredError) throw Boom.notFound('File not found');
    if (err instanceof StorageUnavailableError) throw storageUnavailable();
    throw err;
  }
}
