import { describe, expect, it } from 'vitest';
import { replaceAttachment, Sequencer } from '../../web/src/client/sequencer';
import type { AttachmentView, Message, MessagePage } from '../../web/src/client/types';
import {
  backoffDelay,
  classifyStatus,
  effectiveChunkSize,
  GIVE_UP_AFTER_MS,
  type HttpAnswer,
  type HttpRequest,
  MAX_CHUNK_BYTES,
  nextChunk,
  parseOffset,
  shouldGiveUp,
  UploadError,
  Uploader,
} from '../../web/src/client/uploads';

/** The uploader's pure logic, and the uploader itself against a scripted server. */

describe('upload logic', () => {
  it('uses the server chunk size, capped at 8 MB', () => {
    expect(effectiveChunkSize(1024)).toBe(1024);
    expect(effectiveChunkSize(64 * 1024 * 1024)).toBe(MAX_CHUNK_BYTES);
    expect(effectiveChunkSize(undefined)).toBe(MAX_CHUNK_BYTES);
    expect(effectiveChunkSize(0)).toBe(MAX_CHUNK_BYTES);
    expect(effectiveChunkSize(10.7)).toBe(10);
  });

  it('cuts a file into chunks from any offset', () => {
    expect(nextChunk(0, 10, 4)).toEqual({ start: 0, end: 4 });
    expect(nextChunk(8, 10, 4)).toEqual({ start: 8, end: 10 });
    expect(nextChunk(10, 10, 4)).toBeNull();
    expect(nextChunk(0, 0, 4)).toBeNull();
  });

  it('backs off 1 s, 2 s, 4 s… up to 30 s, and gives up after ten minutes of failures', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffDelay)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(shouldGiveUp(null, 1e12)).toBe(false);
    expect(shouldGiveUp(0, GIVE_UP_AFTER_MS - 1)).toBe(false);
    expect(shouldGiveUp(0, GIVE_UP_AFTER_MS)).toBe(true);
  });

  it('reads offsets strictly', () => {
    expect(parseOffset('42', 100)).toBe(42);
    expect(parseOffset(0, 100)).toBe(0);
    expect(parseOffset('101', 100)).toBeNull();
    expect(parseOffset('-1', 100)).toBeNull();
    expect(parseOffset('4.5', 100)).toBeNull();
    expect(parseOffset(null, 100)).toBeNull();
    expect(parseOffset('', 100)).toBeNull();
  });

  it('says what an answer means', () => {
    expect(classifyStatus(200)).toBe('ok');
    expect(classifyStatus(204)).toBe('ok');
    expect(classifyStatus(409)).toBe('conflict');
    expect(classifyStatus(0)).toBe('retry');
    expect(classifyStatus(503)).toBe('retry');
    expect(classifyStatus(500)).toBe('retry');
    expect(classifyStatus(401)).toBe('unauthorized');
    for (const s of [400, 403, 404, 413, 429]) expect(classifyStatus(s)).toBe('final');
  });

  it('replaces an attachment in a message, or adds it', () => {
    const a = view({ id: 'a', status: 'pending' });
    const b = view({ id: 'b', status: 'pending' });
    const ready = view({ id: 'b', status: 'ready' });
    expect(replaceAttachment([a, b], ready)).toEqual([a, ready]);
    expect(replaceAttachment(undefined, ready)).toEqual([ready]);
  });
});

describe('attachment.updated and messages held back', () => {
  it('a message waiting for a gap is emitted with the new view of its file', async () => {
    const message = (seq: number, attachments: AttachmentView[] = []) =>
      ({ id: `m${seq}`, conversationId: 1, seq, body: '', attachments }) as unknown as Message;
    const emitted: Message[] = [];
    let release!: (page: MessagePage) => void;
    const sequencer = new Sequencer({
      emit: (_c, m) => emitted.push(m),
      fetchAfter: (_c, after) =>
        after === 1
          ? new Promise((r) => (release = r))
          : Promise.resolve({
              messages: [],
              hasMoreBefore: false,
              hasMoreAfter: false,
              lastSeq: 3,
              lastReadSeq: 0,
            }),
      failed: () => undefined,
    });
    sequencer.track(1, 1);
    sequencer.receive(1, message(3, [view({ id: 'a', status: 'pending' })]), true);
    expect(emitted).toEqual([]);
    sequencer.updateAttachment(1, 'm3', view({ id: 'a', status: 'ready' }));
    release({
      messages: [message(2)],
      hasMoreBefore: false,
      hasMoreAfter: false,
      lastSeq: 3,
      lastReadSeq: 0,
    });
    await expect.poll(() => emitted.length).toBe(2);
    expect(emitted.map((m) => m.seq)).toEqual([2, 3]);
    expect(emitted[1]!.attachments[0]!.status).toBe('ready');
  });
});

function view(patch: Partial<AttachmentView>): AttachmentView {
  return {
    id: 'u1',
    name: 'photo.jpg',
    size: 10,
    mediaType: 'image/jpeg',
    kind: null,
    status: 'uploading',
    reason: null,
    scanned: true,
    received: 0,
    width: null,
    height: null,
    durationSeconds: null,
    url: null,
    thumbnailUrl: null,
    download: false,
    urlExpiresAt: null,
    ...patch,
  };
}

/**
 * A scripted tus-like server: it stores bytes and answers like docs/attachments.md, with
 * faults injected by `fault(request)` (return an answer to use it instead).
 */
function fakeServer(options: {
  size: number;
  chunkSize: number;
  fault?: (r: HttpRequest) => HttpAnswer | 'drop-after-store' | null;
}) {
  let offset = 0;
  const log: string[] = [];
  const answer = (
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): HttpAnswer => ({
    status,
    header: (name) => headers[name.toLowerCase()] ?? null,
    text: body === undefined ? '' : JSON.stringify(body),
  });
  const upload = () =>
    view({
      size: options.size,
      received: offset,
      status: offset >= options.size ? 'pending' : 'uploading',
    });
  const transport = async (r: HttpRequest): Promise<HttpAnswer> => {
    log.push(
      `${r.method}${r.headers['upload-offset'] !== undefined ? ` ${r.headers['upload-offset']}` : ''}`,
    );
    expect(r.headers.authorization).toBe('Bearer tok');
    const fault = options.fault?.(r);
    if (fault && fault !== 'drop-after-store') return fault;
    switch (r.method) {
      case 'POST':
        return answer(201, { upload: upload(), chunkSize: options.chunkSize });
      case 'HEAD':
        return answer(200, undefined, { 'upload-offset': String(offset) });
      case 'GET':
        return answer(200, { upload: upload() });
      case 'DELETE':
        return answer(204, undefined);
      case 'PATCH': {
        const at = Number(r.headers['upload-offset']);
        expect(r.headers['content-type']).toBe('application/offset+octet-stream');
        if (at !== offset) return answer(409, { offset });
        const bytes = (r.body as Blob).size;
        r.onProgress?.(Math.floor(bytes / 2));
        r.onProgress?.(bytes);
        offset += bytes;
        // The chunk is stored but the answer is lost on the way back.
        if (fault === 'drop-after-store') return answer(0, undefined);
        return answer(200, { upload: upload() }, { 'upload-offset': String(offset) });
      }
    }
    return answer(405, { message: 'no' });
  };
  return {
    transport,
    log,
    get offset() {
      return offset;
    },
  };
}

function file(size: number) {
  return new File([new Uint8Array(size)], 'photo.jpg', { type: 'image/jpeg' });
}

function uploader(
  server: ReturnType<typeof fakeServer>,
  size: number,
  extra: Partial<ConstructorParameters<typeof Uploader>[0]> = {},
) {
  const waits: number[] = [];
  let now = 0;
  const progress: number[] = [];
  const u = new Uploader({
    baseUrl: 'http://relais.test',
    token: 'tok',
    file: file(size),
    transport: server.transport,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    now: () => now,
    onProgress: (sent) => progress.push(sent),
    ...extra,
  });
  return { u, waits, progress };
}

describe('Uploader', () => {
  it('creates, then sends every chunk with its offset, and reports progress', async () => {
    const server = fakeServer({ size: 10, chunkSize: 4 });
    const { u, progress, waits } = uploader(server, 10);
    const done = await u.start();
    expect(done.status).toBe('pending');
    expect(server.log).toEqual(['POST', 'PATCH 0', 'PATCH 4', 'PATCH 8']);
    expect(progress.at(-1)).toBe(10);
    expect(progress).toContain(2); // Half of the first chunk.
    expect([...progress].sort((a, b) => a - b)).toEqual(progress); // Never goes back.
    expect(waits).toEqual([]);
  });

  it('resumes from the server offset after a dropped connection, with backoff', async () => {
    let drops = 0;
    const server = fakeServer({
      size: 12,
      chunkSize: 4,
      fault: (r) => {
        if (r.method === 'PATCH' && r.headers['upload-offset'] === '4' && drops < 2) {
          drops++;
          return drops === 1 ? 'drop-after-store' : null;
        }
        if (
          r.method === 'GET' &&
          drops === 1 &&
          server.log.filter((l) => l === 'GET').length === 1
        ) {
          return { status: 503, header: () => null, text: '{"message":"storage down"}' };
        }
        return null;
      },
    });
    const { u, waits } = uploader(server, 12);
    await u.start();
    // Chunk 4–8 was stored though its answer was lost: GET says 8, it goes on from there.
    expect(server.log).toEqual(['POST', 'PATCH 0', 'PATCH 4', 'GET', 'GET', 'PATCH 8']);
    expect(waits).toEqual([1000, 2000]);
    expect(server.offset).toBe(12);
  });

  it('takes the offset of a 409', async () => {
    let first = true;
    const conflicted = fakeServer({
      size: 8,
      chunkSize: 4,
      fault: (r) => {
        if (r.method === 'PATCH' && first) {
          first = false;
          return { status: 409, header: () => null, text: JSON.stringify({ offset: 0 }) };
        }
        return null;
      },
    });
    const { u: u3, waits } = uploader(conflicted, 8);
    await u3.start();
    expect(conflicted.log).toEqual(['POST', 'PATCH 0', 'PATCH 0', 'PATCH 4']);
    expect(waits).toEqual([]);
  });

  it('stops on 413, 429 and 400 with the server message, without retrying', async () => {
    for (const [status, kind] of [
      [413, 'too-large'],
      [429, 'quota'],
      [400, 'refused'],
    ] as const) {
      const server = fakeServer({
        size: 8,
        chunkSize: 4,
        fault: (r) =>
          r.method === 'POST'
            ? {
                status,
                header: (n) => (n === 'retry-after' ? '3600' : null),
                text: JSON.stringify({ message: `nope ${status}` }),
              }
            : null,
      });
      const { u, waits } = uploader(server, 8);
      const err = await u.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UploadError);
      expect((err as UploadError).kind).toBe(kind);
      expect((err as UploadError).message).toBe(`nope ${status}`);
      if (status === 429) expect((err as UploadError).retryAfterSeconds).toBe(3600);
      expect(waits).toEqual([]);
      expect(server.log).toEqual(['POST']);
    }
  });

  it('gives up after about ten minutes of failures, then resumes on start()', async () => {
    let down = true;
    const server = fakeServer({
      size: 8,
      chunkSize: 4,
      fault: (r) =>
        down && r.method !== 'POST' ? { status: 0, header: () => null, text: '' } : null,
    });
    const { u, waits } = uploader(server, 8);
    const err = (await u.start().catch((e: unknown) => e)) as UploadError;
    expect(err.kind).toBe('network');
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(GIVE_UP_AFTER_MS - 30_000);
    expect(waits.every((w) => w <= 30_000)).toBe(true);
    down = false;
    const before = server.log.length;
    await u.start();
    expect(server.log.slice(before)).toEqual(['GET', 'PATCH 0', 'PATCH 4']);
  });

  it('cancels: aborts and deletes the upload', async () => {
    const server = fakeServer({
      size: 8,
      chunkSize: 4,
      fault: (r) => (r.method === 'PATCH' ? { status: 503, header: () => null, text: '' } : null),
    });
    let u!: Uploader;
    const { u: made } = uploader(server, 8, {
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')));
          void u.cancel();
        }),
    });
    u = made;
    const err = (await u.start().catch((e: unknown) => e)) as UploadError;
    expect(err.kind).toBe('cancelled');
    expect(server.log).toEqual(['POST', 'PATCH 0', 'DELETE']);
  });

  it('sends the conversation id when uploading from a conversation', async () => {
    let body = '';
    const server = fakeServer({
      size: 4,
      chunkSize: 4,
      fault: (r) => {
        if (r.method === 'POST') body = String(r.body);
        return null;
      },
    });
    const { u } = uploader(server, 4, { conversationId: 7 });
    await u.start();
    expect(JSON.parse(body)).toEqual({
      name: 'photo.jpg',
      type: 'image/jpeg',
      size: 4,
      conversationId: 7,
    });
  });
});
