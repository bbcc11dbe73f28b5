import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { closeAttachments } from '../../domain/attachments';
import { type RunningClamd, startClamd } from '../../domain/attachments/examine';
import type { ServerOptions } from '../../server/app';
import { type AttachmentWorkerOptions, startAttachmentWorker } from '../../workers/attachments';
import { call, startTestApp, type TestApp } from '../helpers/server';

/**
 * A server with the attachments worker in process, a private clamd with the one-line
 * EICAR database, and its files in a private folder: what most attachment tests need.
 */
export interface AttachmentBed {
  app: TestApp;
  clamd: RunningClamd;
  worker: Worker;
  /** Scratch folder for fixtures. */
  dir: string;
  /** Where the server keeps files (ATTACHMENTS_DIR). */
  filesDir: string;
  stop(): Promise<void>;
}

export async function startAttachmentBed(
  options: {
    env?: NodeJS.ProcessEnv;
    worker?: AttachmentWorkerOptions;
    /** e.g. a fixed port, for browser tests whose ALLOWED_ORIGINS names it. */
    server?: ServerOptions;
  } = {},
): Promise<AttachmentBed> {
  const dir = await mkdtemp(join(tmpdir(), 'relais-att-test-'));
  const clamd = await startClamd({ dir: join(dir, 'clamd') });
  const filesDir = join(dir, 'files');
  const app = await startTestApp({
    env: { ATTACHMENTS_DIR: filesDir, CLAMAV_URL: clamd.url, ...options.env },
    server: options.server,
  });
  const worker = startAttachmentWorker(app.ctx, { retryDelayMs: 200, ...options.worker });
  await worker.waitUntilReady();
  return {
    app,
    clamd,
    worker,
    dir,
    filesDir,
    async stop() {
      await worker.close();
      await closeAttachments(app.ctx);
      await app.stop();
      await clamd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Uploads a file over real HTTP in chunks, as the web client does; returns the upload. */
export async function uploadFile(
  app: TestApp,
  token: string,
  path: string,
  options: { type?: string; name?: string; conversationId?: number; chunkSize?: number } = {},
  // biome-ignore lint/suspicious/noExplicitAny: the upload view as JSON
): Promise<any> {
  const bytes = await readFile(path);
  const created = await call(app.server, 'POST', '/api/uploads', {
    token,
    payload: {
      name: options.name ?? path.split('/').pop(),
      type: options.type ?? 'application/octet-stream',
      size: bytes.length,
      ...(options.conversationId ? { conversationId: options.conversationId } : {}),
    },
  });
  if (created.statusCode !== 201) {
    throw new Error(`upload refused: ${created.statusCode} ${created.payload}`);
  }
  const id: string = created.body.upload.id;
  const chunkSize = options.chunkSize ?? created.body.chunkSize;
  let upload = created.body.upload;
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    const res = await patch(app, token, id, offset, bytes.subarray(offset, offset + chunkSize));
    if (res.status !== 200) throw new Error(`chunk refused: ${res.status} ${await res.text()}`);
    upload = ((await res.json()) as { upload: unknown }).upload;
  }
  return upload;
}

export function patch(app: TestApp, token: string, id: string, offset: number, body: Buffer) {
  return fetch(`${app.url}/api/uploads/${id}`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
    },
    body: new Uint8Array(body),
  });
}

/** Waits until the file leaves `pending` (or `uploading`); returns its row. */
export async function settled(app: TestApp, id: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await app.ctx.db('attachments').where({ id }).first();
    if (row && row.status !== 'pending' && row.status !== 'uploading') return row;
    if (Date.now() > deadline) throw new Error(`attachment ${id} still ${row?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
