import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../context';
import { audienceOf } from '../conversations/access';
import { publishEvent } from '../realtime';
import { examineFile } from './examine';
import type { Examined, ExamineOptions } from './examine/types';
import { type AttachmentRow, keys, toAttachmentRecord } from './records';
import { storageOf } from './service';
import type { Storage } from './storage';

export interface ProcessDeps {
  scanner: ExamineOptions['scanner'];
  tools: ExamineOptions['tools'];
  /** Tests pause here to kill the worker mid-job. */
  afterExamine?: (id: string) => Promise<void>;
}

export type ProcessOutcome = 'ready' | 'rejected' | 'infected' | 'skipped';

/**
 * Processes one complete upload: assembles its chunks in a private folder, examines it
 * (real type, antivirus, re-encoding), stores what is to be served, then moves the status
 * from `pending` once. Idempotent: a worker killed at any point leaves the file pending;
 * the job runs again, overwrites the same keys, and only the first status change counts
 * (and sends the one event). A scanner that cannot answer throws: BullMQ retries.
 */
export async function processAttachment(
  ctx: AppContext,
  id: string,
  deps: ProcessDeps,
): Promise<ProcessOutcome> {
  const storage = await storageOf(ctx);
  const row: AttachmentRow | undefined = await ctx.db('attachments').where({ id }).first();
  if (row?.status !== 'pending') {
    // Done already (a retried or duplicate job): only finish removing the quarantine.
    if (row && row.status !== 'uploading') await storage.removePrefix(keys.chunksOf(id));
    return 'skipped';
  }
  const workDir = await mkdtemp(join(tmpdir(), 'relais-attachment-'));
  try {
    const input = join(workDir, 'upload');
    await assemble(ctx, storage, row, input);
    const limits = ctx.config.attachments;
    const examined = await examineFile(input, {
      workDir,
      scanner: deps.scanner,
      tools: deps.tools,
      limits: {
        maxBytes: limits.maxBytes,
        videoMaxBytes: limits.videoMaxBytes,
        maxPixels: limits.maxPixels,
      },
    });
    if (deps.afterExamine) await deps.afterExamine(id);
    return await record(ctx, storage, row, examined);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The chunks, in order, into one local file; their SHA-256 must be the upload's. */
async function assemble(
  ctx: AppContext,
  storage: Storage,
  row: AttachmentRow,
  path: string,
): Promise<void> {
  const chunks = await ctx.db('upload_chunks').where({ attachment_id: row.id }).orderBy('start');
  const hash = createHash('sha256');
  await writeFile(path, '');
  let expected = 0;
  for (const chunk of chunks) {
    if (Number(chunk.start) !== expected) throw new Error(`upload ${row.id}: chunks have a gap`);
    expected += Number(chunk.size);
    const source = await storage.get(chunk.key);
    await pipeline(
      source,
      async function* (bytes: AsyncIterable<Buffer>) {
        for await (const b of bytes) {
          hash.update(b);
          yield b;
        }
      },
      createWriteStream(path, { flags: 'a' }),
    );
  }
  if (expected !== Number(row.size) || hash.digest('hex') !== row.sha256) {
    // Storage lost or changed bytes: never serve them; the retry reads them again.
    throw new Error(`upload ${row.id}: stored bytes do not match the upload's SHA-256`);
  }
}

async function record(
  ctx: AppContext,
  storage: Storage,
  row: AttachmentRow,
  examined: Examined,
): Promise<ProcessOutcome> {
  const { id } = row;
  let changes: Record<string, unknown>;
  if (examined.outcome === 'ready') {
    const served = await storage.put(keys.file(id), createReadStream(examined.servedPath));
    if (examined.thumbnailPath) {
      await storage.put(keys.thumbnail(id), createReadStream(examined.thumbnailPath));
    }
    changes = {
      status: 'ready',
      reason: null,
      media_type: examined.mediaType,
      kind: examined.kind,
      scanned: examined.scanned,
      served_type: examined.servedType,
      served_size: served.size,
      has_thumbnail: Boolean(examined.thumbnailPath),
      width: examined.width,
      height: examined.height,
      duration_seconds: examined.durationSeconds,
    };
  } else {
    ctx.logger.info(
      {
        attachmentId: id,
        outcome: examined.outcome,
        reason: examined.reason,
        detail: examined.detail,
      },
      'attachment refused',
    );
    changes = {
      status: examined.outcome,
      reason: examined.reason,
      media_type: examined.mediaType,
      scanned: examined.scanned,
    };
  }
  const [updated] = await ctx
    .db('attachments')
    .where({ id, status: 'pending' })
    .update({ ...changes, processed_at: ctx.now(), attempts: ctx.db.raw('attempts + 1') })
    .returning('*');
  if (!updated) return 'skipped'; // another run recorded it first
  // The quarantine goes once the verdict is recorded (a refused file keeps nothing at all).
  await storage.removePrefix(keys.chunksOf(id));
  await ctx.db('upload_chunks').where({ attachment_id: id }).delete();
  if (examined.outcome !== 'ready') await storage.removePrefix(keys.filesOf(id));
  await announce(ctx, updated as AttachmentRow);
  return examined.outcome;
}

/**
 * Tells the readers: everyone in the conversation once the file is part of a sent
 * message, the sender alone before. Each socket then gets it as its reader may see it
 * (server/plugins/realtime-events.ts): a refused file reaches the sender with its reason,
 * and the others only as "remove the placeholder you were shown".
 */
export async function announce(ctx: AppContext, row: AttachmentRow): Promise<void> {
  const owner = Number(row.owner_account_id);
  const sent = row.message_id !== null && row.conversation_id !== null;
  const audience = sent ? await audienceOf(ctx.db, Number(row.conversation_id)) : [owner];
  await publishEvent(ctx, audience.includes(owner) ? audience : [...audience, owner], {
    type: 'attachment.updated',
    conversationId: row.conversation_id === null ? null : Number(row.conversation_id),
    messageId: row.message_id,
    attachment: toAttachmentRecord(row),
  });
}
