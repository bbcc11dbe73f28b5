import { createHash, type Hash, randomBytes, randomUUID } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { type Reader, requireSeats } from '../conversations/access';
import { fieldError } from '../conversations/errors';
import { tooMany } from '../rate-limit';
import { attachmentNotFound, megabytes, storageUnavailable } from './errors';
import { sanitiseFileName } from './names';
import { type AttachmentRow, keys, toAttachmentRecord } from './records';
import { enqueueProcessing, storageOf } from './service';
import { StorageUnavailableError } from './storage';
import type { AttachmentRecord } from './types';

export interface NewUpload {
  name: string;
  /** The browser's declared type: only picks the size limit; the bytes decide the rest. */
  type: string;
  size: number;
  conversationId?: number | null;
}

/** The limit for a declared type; the worker checks it again against the real type. */
export function sizeLimit(ctx: AppContext, declaredType: string): number {
  const { maxBytes, videoMaxBytes } = ctx.config.attachments;
  return declaredType.toLowerCase().startsWith('video/') ? videoMaxBytes : maxBytes;
}

/**
 * Starts an upload: checks the size against the limit and the account's daily volume
 * before a single byte is sent, and, from a conversation, that the user reads it.
 */
export async function createUpload(
  ctx: AppContext,
  owner: Reader,
  input: NewUpload,
): Promise<AttachmentRecord> {
  const { db } = ctx;
  const limit = sizeLimit(ctx, input.type);
  if (input.size === 0) throw fieldError('size', 'This file is empty (0 bytes)');
  if (input.size > limit) {
    throw Boom.entityTooLarge(
      `Files are limited to ${megabytes(ctx.config.attachments.maxBytes)} ` +
        `(${megabytes(ctx.config.attachments.videoMaxBytes)} for a video)`,
    );
  }
  if (input.conversationId) await requireSeats(db, owner, input.conversationId);

  const { dailyBytesPerAccount } = ctx.config.attachments;
  const since = new Date(ctx.now().getTime() - 24 * 3600 * 1000);
  return db.transaction(async (trx) => {
    // One account's uploads are counted one at a time, so parallel requests cannot all
    // squeeze under the limit.
    await trx.raw('SELECT pg_advisory_xact_lock(?::int, ?::int)', [11, owner.accountId % 2 ** 31]);
    const [{ total, oldest }] = await trx('attachments')
      .where('owner_account_id', owner.accountId)
      .where('created_at', '>', since)
      .select(
        trx.raw('COALESCE(SUM(size), 0)::bigint AS total'),
        trx.raw('MIN(created_at) AS oldest'),
      );
    if (Number(total) + input.size > dailyBytesPerAccount) {
      const frees = oldest ? new Date(oldest).getTime() + 24 * 3600 * 1000 : ctx.now().getTime();
      throw tooMany(
        `You can send ${megabytes(dailyBytesPerAccount)} of files per 24 hours.`,
        Math.max(60, Math.ceil((frees - ctx.now().getTime()) / 1000)),
      );
    }
    const [row] = await trx('attachments')
      .insert({
        id: randomUUID(),
        owner_account_id: owner.accountId,
        conversation_id: input.conversationId ?? null,
        file_name: sanitiseFileName(input.name),
        declared_type: input.type.toLowerCase(),
        size: input.size,
        created_at: ctx.now(),
      })
      .returning('*');
    return toAttachmentRecord(row as AttachmentRow);
  });
}

/** The owner's upload (404 for anyone else: ids reveal nothing). */
export async function ownUpload(
  ctx: AppContext,
  owner: Reader,
  id: string,
): Promise<AttachmentRow> {
  const row: AttachmentRow | undefined = await ctx.db('attachments').where({ id }).first();
  if (!row || Number(row.owner_account_id) !== owner.accountId) throw attachmentNotFound();
  return row;
}

/** A 409 telling the client where to resume. */
function wrongOffset(received: number): Boom.Boom {
  const error = Boom.conflict(`The upload is at offset ${received}: send from there`);
  (error.output.payload as unknown as Record<string, unknown>).offset = received;
  error.output.headers['Upload-Offset'] = String(received);
  return error;
}

/**
 * The running SHA-256 of uploads in progress on this node, so that each chunk is hashed
 * as it is written. A chunk that lands on another node (or after a restart) rebuilds the
 * state from the stored chunks: correct, just slower, and rare.
 */
const running = new Map<string, { hash: Hash; offset: number }>();

async function hashUpTo(ctx: AppContext, id: string, offset: number): Promise<Hash> {
  const state = running.get(id);
  if (state && state.offset === offset) return state.hash.copy();
  const hash = createHash('sha256');
  if (offset === 0) return hash;
  const storage = await storageOf(ctx);
  const chunks = await ctx.db('upload_chunks').where({ attachment_id: id }).orderBy('start');
  for (const chunk of chunks) {
    for await (const bytes of await storage.get(chunk.key)) hash.update(bytes as Buffer);
  }
  return hash;
}

class TooMuch extends Error {}

/**
 * Appends the next chunk of an upload, streaming it to storage (never held in memory).
 * The chunk counts only once stored whole; a request cut short records nothing, and the
 * client resumes from the offset it asks for. Bytes beyond the declared size stop the
 * stream at once: 413, and the whole upload is deleted.
 */
export async function appendChunk(
  ctx: AppContext,
  owner: Reader,
  id: string,
  offset: number,
  body: Readable,
): Promise<AttachmentRecord> {
  const row = await ownUpload(ctx, owner, id);
  const size = Number(row.size);
  const received = Number(row.received);
  if (row.status !== 'uploading') {
    body.resume();
    if (offset === size) return toAttachmentRecord(row); // a retried last chunk
    throw wrongOffset(received);
  }
  if (offset !== received) {
    body.resume();
    throw wrongOffset(received);
  }
  const remaining = size - received;
  const chunkMax = ctx.config.attachments.chunkMaxBytes;
  const hash = await hashUpTo(ctx, id, offset);
  let count = 0;
  let tooMuch: 'file' | 'chunk' | null = null;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (count > remaining) tooMuch = 'file';
      else if (count > chunkMax) tooMuch = 'chunk';
      if (tooMuch) return callback(new TooMuch());
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  body.on('error', (err) => meter.destroy(err));
  // The storage may still be opening its file when the meter fails: the failure reaches
  // us through put()'s rejection, not as an unhandled 'error' event.
  meter.on('error', () => {});
  const storage = await storageOf(ctx);
  const key = keys.chunk(id, offset, randomBytes(6).toString('hex'));
  try {
    await storage.put(key, body.pipe(meter));
  } catch (err) {
    body.resume();
    if (tooMuch === 'file') {
      await deleteUpload(ctx, id);
      throw Boom.entityTooLarge(
        `More bytes than the declared size (${size}) were sent: the upload was stopped and deleted`,
      );
    }
    if (tooMuch === 'chunk') {
      throw Boom.entityTooLarge(`Send at most ${megabytes(chunkMax)} per request`);
    }
    if (err instanceof StorageUnavailableError) {
      ctx.logger.warn({ err: err.message, attachmentId: id }, 'upload chunk not stored');
      throw storageUnavailable();
    }
    throw Boom.badRequest('The upload was interrupted: ask for the offset and send the rest');
  }
  if (count === 0) {
    await storage.removePrefix(key).catch(() => {});
    return toAttachmentRecord(row);
  }

  const complete = received + count === size;
  const digest = complete ? hash.copy().digest('hex') : null;
  const updated = await ctx.db.transaction(async (trx) => {
    const [next] = await trx('attachments')
      .where({ id, status: 'uploading', received })
      .update({
        received: received + count,
        ...(complete ? { status: 'pending', sha256: digest, uploaded_at: ctx.now() } : {}),
      })
      .returning('*');
    if (next)
      await trx('upload_chunks').insert({ attachment_id: id, start: offset, size: count, key });
    return next as AttachmentRow | undefined;
  });
  if (!updated) {
    // Another request stored this offset first (a retry racing the original).
    await storage.removePrefix(key).catch(() => {});
    const now = await ownUpload(ctx, owner, id);
    throw wrongOffset(Number(now.received));
  }
  if (complete) {
    running.delete(id);
    await enqueueProcessing(ctx, id);
  } else {
    running.set(id, { hash, offset: received + count });
  }
  return toAttachmentRecord(updated);
}

/** Deletes an upload and its bytes (cancel, oversize, housekeeping). */
export async function deleteUpload(ctx: AppContext, id: string): Promise<void> {
  running.delete(id);
  const storage = await storageOf(ctx);
  await ctx.db('attachments').where({ id }).delete();
  await Promise.allSettled([
    storage.removePrefix(keys.chunksOf(id)),
    storage.removePrefix(keys.filesOf(id)),
  ]);
}

/** Cancels an upload that is not part of a sent message yet. */
export async function cancelUpload(ctx: AppContext, owner: Reader, id: string): Promise<void> {
  const row = await ownUpload(ctx, owner, id);
  if (row.message_id) {
    throw Boom.conflict('This file belongs to a sent message and can no longer be cancelled');
  }
  await deleteUpload(ctx, id);
}
