import type { AttachmentView, UploadCreated } from './types';
import { withAbsoluteFileUrls } from './urls';

/**
 * Resumable uploads (docs/attachments.md): `POST /api/uploads` declares the file, then
 * `PATCH /api/uploads/{id}` sends it in chunks with `Upload-Offset` (the core of tus 1.0).
 * Hospital Wi-Fi and 4G drop often: a chunk cut by the network, or a 5xx, is followed by
 * a wait (1 s, 2 s, 4 s… up to 30 s, for up to ~10 minutes of failures), then `GET` tells
 * where the server stands and the upload goes on from there; a 409 gives the offset
 * directly. 400, 403, 404, 413 and 429 are final, with the server's message.
 *
 * Framework-free (no Lit, no DOM beyond XMLHttpRequest, which is the only browser API that
 * reports upload progress): the components use it through their uploads controller; the
 * pure pieces (chunk bounds, offsets, backoff, what an answer means) are exported for tests.
 */

/** The client never sends chunks larger than this, whatever the server allows. */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** Give up after failing this long without progress. */
export const GIVE_UP_AFTER_MS = 10 * 60 * 1000;

// ---------------------------------------------------------------------------------------
// Pure logic

/** The chunk size to use: the server's, capped at 8 MB, at least 1 byte. */
export function effectiveChunkSize(serverChunkSize: number | null | undefined): number {
  const n = Number(serverChunkSize);
  if (!Number.isFinite(n) || n <= 0) return MAX_CHUNK_BYTES;
  return Math.max(1, Math.min(Math.floor(n), MAX_CHUNK_BYTES));
}

/** Bounds [start, end) of the next chunk from `offset`, or null when the file is all sent. */
export function nextChunk(
  offset: number,
  size: number,
  chunkSize: number,
): { start: number; end: number } | null {
  if (offset >= size) return null;
  return { start: offset, end: Math.min(size, offset + chunkSize) };
}

/** The wait before try number `failures` (1, 2, 3…): 1 s, 2 s, 4 s… capped at 30 s. */
export function backoffDelay(failures: number): number {
  const n = Math.max(1, Math.floor(failures));
  return Math.min(BACKOFF_FIRST_MS * 2 ** (n - 1), BACKOFF_MAX_MS);
}

/** Whether to keep trying after failing since `firstFailureAt` (ms), at `now`. */
export function shouldGiveUp(firstFailureAt: number | null, now: number): boolean {
  return firstFailureAt !== null && now - firstFailureAt >= GIVE_UP_AFTER_MS;
}

/** An offset the server gave, checked against the file (anything odd: null). */
export function parseOffset(value: unknown, size: number): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 0 || n > size) return null;
  return n;
}

export type AnswerKind = 'ok' | 'conflict' | 'retry' | 'final' | 'unauthorized';

/**
 * What an HTTP answer means for an upload: status 0 is a network failure (XHR's
 * onerror). 5xx (503: storage unreachable, nothing recorded) and 408 are retried; 409
 * gives the offset to resume from; 401 ends the session; every other 4xx is final.
 */
export function classifyStatus(status: number): AnswerKind {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'conflict';
  if (status === 401) return 'unauthorized';
  if (status === 0 || status === 408 || status >= 500) return 'retry';
  return 'final';
}

// ---------------------------------------------------------------------------------------
// Transport

export interface HttpAnswer {
  /** 0 when the request never got an answer (network failure). */
  status: number;
  header(name: string): string | null;
  text: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Blob | string;
  /** Bytes of the body sent so far (XHR upload progress). */
  onProgress?: (loaded: number) => void;
  signal?: AbortSignal;
}

/** Sends one request; resolves with status 0 on a network failure, rejects on abort. */
export type Transport = (request: HttpRequest) => Promise<HttpAnswer>;

export class AbortedError extends Error {
  constructor() {
    super('Upload cancelled');
    this.name = 'AbortError';
  }
}

/** XMLHttpRequest: the browser API that reports how much of a request body is sent. */
export const xhrTransport: Transport = (request) =>
  new Promise((resolve, reject) => {
    if (request.signal?.aborted) return reject(new AbortedError());
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    if (request.onProgress) {
      const report = request.onProgress;
      xhr.upload.onprogress = (e) => report(e.loaded);
    }
    const onAbort = () => xhr.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => request.signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      done();
      resolve({
        status: xhr.status,
        header: (name) => xhr.getResponseHeader(name),
        text: xhr.responseText,
      });
    };
    const failed = () => {
      done();
      resolve(NO_ANSWER);
    };
    xhr.onerror = failed;
    xhr.ontimeout = failed;
    xhr.onabort = () => {
      done();
      reject(new AbortedError());
    };
    xhr.send(request.body ?? null);
  });

// ---------------------------------------------------------------------------------------
// The uploader

export type UploadFailure =
  /** Cancelled by the user. */
  | 'cancelled'
  /** The network or the server failed for longer than GIVE_UP_AFTER_MS. */
  | 'network'
  /** 413: over the size limit. */
  | 'too-large'
  /** 429: the account's daily volume is used. */
  | 'quota'
  /** 401: the session expired. */
  | 'unauthorized'
  /** Any other refusal (400, 403, 404…). */
  | 'refused';

/** An upload that stopped for good: `kind` for the interface, `message` the server's. */
export class UploadError extends Error {
  constructor(
    readonly kind: UploadFailure,
    readonly status: number,
    message: string,
    /** Seconds to wait, on a 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

/** The parts of a File the uploader reads (a Blob with a name). */
export interface UploadSource {
  name: string;
  type: string;
  size: number;
  slice(start: number, end: number): Blob;
}

export interface UploaderOptions {
  /** Origin of the Relais server (no trailing slash). */
  baseUrl: string;
  /** The bearer token, read at each request (a renewed session keeps uploading). */
  token: string | (() => string);
  file: UploadSource;
  /** Uploaded from a conversation's composer. */
  conversationId?: number | null;
  /** Bytes sent so far and the total: after every progress event of a chunk. */
  onProgress?: (sent: number, total: number) => void;
  /** The server's view of the upload changed (created, each chunk, the last one). */
  onUpload?: (upload: AttachmentView) => void;
  /** A failure that will be retried: `retryInMs` before the next try. */
  onRetry?: (info: { failures: number; retryInMs: number; status: number }) => void;
  onUnauthorized?: () => void;
  transport?: Transport;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const NO_ANSWER: HttpAnswer = { status: 0, header: () => null, text: '' };

/** The JSON of an answer, a file's URLs made absolute against the server (./urls.ts). */
function parseJson(text: string, server: string): Record<string, unknown> | null {
  try {
    const value = text ? JSON.parse(text) : null;
    return value && typeof value === 'object'
      ? withAbsoluteFileUrls(value as Record<string, unknown>, server)
      : null;
  } catch {
    return null;
  }
}

/**
 * One file's upload. `start()` resolves with the server's view once every byte is stored
 * (status `pending`: the worker takes it from there), or rejects with an UploadError.
 * After a `network` failure, `start()` again resumes from the server's offset; after a
 * final refusal it starts a new upload. `cancel()` stops it and deletes it on the server.
 */
export class Uploader {
  /** The server's upload, once created. */
  upload: AttachmentView | null = null;
  /** Bytes the server holds (as far as we know). */
  offset = 0;
  private chunkSize = MAX_CHUNK_BYTES;
  private abort: AbortController | null = null;
  private running: Promise<AttachmentView> | null = null;
  private failures = 0;
  private firstFailureAt: number | null = null;

  constructor(private readonly options: UploaderOptions) {}

  get total(): number {
    return this.options.file.size;
  }

  start(): Promise<AttachmentView> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the upload and deletes what the server holds (best effort). */
  async cancel(): Promise<void> {
    this.abort?.abort();
    if (this.upload) {
      await this.send('DELETE', {}, undefined, new AbortController().signal).catch(() => null);
    }
  }

  private send(
    method: string,
    headers: Record<string, string>,
    body: Blob | string | undefined,
    signal: AbortSignal,
    onProgress?: (loaded: number) => void,
  ): Promise<HttpAnswer> {
    const { token, baseUrl, transport = xhrTransport } = this.options;
    return transport({
      method,
      url: `${baseUrl}/api/uploads${this.upload ? `/${encodeURIComponent(this.upload.id)}` : ''}`,
      headers: {
        authorization: `Bearer ${typeof token === 'function' ? token() : token}`,
        accept: 'application/json',
        ...headers,
      },
      body,
      onProgress,
      signal,
    });
  }

  /**
   * What an answer means: the answer itself when it is a success or a 409; null after
   * waiting (backoff) when it should be tried again; throws when it is final.
   */
  private async check(answer: HttpAnswer, signal: AbortSignal): Promise<HttpAnswer | null> {
    const kind = classifyStatus(answer.status);
    if (kind === 'ok' || kind === 'conflict') return answer;
    if (kind !== 'retry') throw this.finalError(answer);
    const now = (this.options.now ?? Date.now)();
    this.failures++;
    this.firstFailureAt ??= now;
    if (shouldGiveUp(this.firstFailureAt, now)) {
      throw new UploadError('network', answer.status, 'The server could not be reached');
    }
    const wait = backoffDelay(this.failures);
    this.options.onRetry?.({ failures: this.failures, retryInMs: wait, status: answer.status });
    await (this.options.sleep ?? defaultSleep)(wait, signal);
    return null;
  }

  private async run(): Promise<AttachmentView> {
    const abort = new AbortController();
    const { signal } = abort;
    this.abort = abort;
    const { file, onUpload } = this.options;
    const size = file.size;
    this.failures = 0;
    this.firstFailureAt = null;
    const progressed = (offset: number, upload?: AttachmentView) => {
      this.failures = 0;
      this.firstFailureAt = null;
      this.offset = offset;
      if (upload) {
        this.upload = upload;
        onUpload?.(upload);
      }
      this.report(offset);
    };
    /** After a failure the offset is asked first (the chunk may or may not be stored). */
    let askOffset = this.upload !== null;
    try {
      while (!this.upload) {
        const answer = await this.check(
          await this.send(
            'POST',
            { 'content-type': 'application/json' },
            JSON.stringify({
              name: file.name,
              type: file.type || 'application/octet-stream',
              size,
              conversationId: this.options.conversationId || undefined,
            }),
            signal,
          ),
          signal,
        );
        if (answer?.status === 409) throw this.finalError(answer);
        if (!answer) continue;
        const body = parseJson(answer.text, this.options.baseUrl) as Partial<UploadCreated> | null;
        if (!body?.upload) throw new UploadError('refused', answer.status, 'Bad answer');
        this.chunkSize = effectiveChunkSize(body.chunkSize);
        progressed(parseOffset(body.upload.received, size) ?? 0, body.upload);
      }
      if (this.upload.status !== 'uploading') return this.upload;
      for (;;) {
        const chunk = nextChunk(this.offset, size, this.chunkSize);
        if (askOffset || !chunk) {
          // Where the server stands (GET rather than HEAD: its JSON is readable from another
          // origin even where Upload-Offset is not an exposed header).
          const answer = await this.check(await this.send('GET', {}, undefined, signal), signal);
          if (!answer) continue;
          const upload = (
            parseJson(answer.text, this.options.baseUrl) as { upload?: AttachmentView } | null
          )?.upload;
          const offset =
            answer.status === 409
              ? null
              : (parseOffset(upload?.received, size) ??
                parseOffset(answer.header('upload-offset'), size));
          if (offset === null) {
            await this.check(NO_ANSWER, signal); // An odd answer: wait, then ask again.
            continue;
          }
          askOffset = false;
          progressed(offset, upload);
          if (upload && upload.status !== 'uploading') return upload;
          continue;
        }
        const answer = await this.check(
          await this.send(
            'PATCH',
            {
              'upload-offset': String(chunk.start),
              'content-type': 'application/offset+octet-stream',
            },
            file.slice(chunk.start, chunk.end),
            signal,
            (loaded) => this.report(chunk.start + Math.min(loaded, chunk.end - chunk.start)),
          ),
          signal,
        );
        if (!answer) {
          askOffset = true;
          continue;
        }
        const body = parseJson(answer.text, this.options.baseUrl);
        if (answer.status === 409) {
          const offset = parseOffset(body?.offset, size);
          if (offset === null) askOffset = true;
          else progressed(offset);
          continue;
        }
        const upload = body?.upload as AttachmentView | undefined;
        const offset =
          parseOffset(answer.header('upload-offset'), size) ??
          parseOffset(upload?.received, size) ??
          chunk.end;
        progressed(offset, upload);
        if (offset >= size && upload) return upload;
      }
    } catch (err) {
      if (signal.aborted) throw new UploadError('cancelled', 0, 'Upload cancelled');
      if (err instanceof UploadError && err.kind !== 'network') {
        // The server dropped it (413 deletes it) or it is not ours: start anew next time.
        this.upload = null;
        this.offset = 0;
      }
      throw err;
    }
  }

  private report(sent: number): void {
    this.options.onProgress?.(Math.min(sent, this.total), this.total);
  }

  private finalError(answer: HttpAnswer): UploadError {
    const body = parseJson(answer.text, this.options.baseUrl);
    const message = typeof body?.message === 'string' ? body.message : `HTTP ${answer.status}`;
    const status = answer.status;
    if (status === 401) this.options.onUnauthorized?.();
    const after = Number(answer.header('retry-after'));
    return new UploadError(
      status === 401
        ? 'unauthorized'
        : status === 413
          ? 'too-large'
          : status === 429
            ? 'quota'
            : 'refused',
      status,
      message,
      after > 0 ? after : undefined,
    );
  }
}
