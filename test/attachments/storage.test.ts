import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsStorage } from '../../domain/attachments/storage/fs';
import { createS3Storage } from '../../domain/attachments/storage/s3';
import {
  NotStoredError,
  type Storage,
  StorageUnavailableError,
} from '../../domain/attachments/storage/types';
import { type LocalS3, startS3 } from '../helpers/s3';

// One contract, two implementations: what the upload route and the worker rely on must
// hold for the local folder and for any S3-compatible store alike.

const MB = 1024 * 1024;

/**
 * `total` bytes of pseudo-random data in 64 KB chunks made on demand (never the whole
 * thing in memory), optionally failing after `failAt` bytes; `digest()` is the SHA-256 of
 * what was produced.
 */
function generated(total: number, failAt?: number) {
  const block = randomBytes(MB);
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (failAt !== undefined && sent >= failAt) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(64 * 1024, total - sent);
      const chunk = Buffer.allocUnsafe(size);
      block.copy(chunk, 0, sent % MB, (sent % MB) + size);
      chunk.writeUInt32BE(sent / 65536, 0); // no two chunks alike
      sent += size;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256(stream: Readable): Promise<{ hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hex: hash.digest('hex'), size };
}

/**
 * V8 collects dead Buffers only when external memory has grown by about 64 MB since the
 * last collection, so raw RSS peaks measure garbage waiting as much as memory held (in
 * this process S3 runs both sides, client and s3rver: 30 to 75 MB from one run to the
 * next). The sampler collects before each reading, so what it sees is what the put
 * holds, plus at most 100 ms of garbage: a put buffering the file would show 200 MB.
 */
const collect: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Peak RSS growth over the baseline while `work` runs, sampled every 100 ms. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  collect();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    collect();
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  try {
    const result = await work();
    collect();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(timer);
  }
}

interface Backend {
  storage: Storage;
  /** Makes the store unreachable: S3 stopped, or the folder's volume gone. */
  down(): Promise<void>;
  up(): Promise<void>;
  dispose(): Promise<void>;
}

const run = promisify(execFile);

async function fsBackend(): Promise<Backend> {
  // The storage folder sits in a parent that "down" makes unwritable and empties, as when
  // the volume is unmounted: the folder cannot be created again. root ignores file modes,
  // so as root the parent is made immutable (chattr) instead.
  const parent = await mkdtemp(join(tmpdir(), 'relais-fs-storage-'));
  const root = join(parent, 'store');
  await mkdir(root);
  const asRoot = process.getuid?.() === 0;
  const lock = async (on: boolean) => {
    if (asRoot) await run('chattr', [on ? '+i' : '-i', parent]);
    else await chmod(parent, on ? 0o555 : 0o755);
  };
  let isDown = false;
  const up = async () => {
    await lock(false);
    await rename(`${root}.away`, root);
    isDown = false;
  };
  return {
    storage: createFsStorage(root),
    async down() {
      await rename(root, `${root}.away`);
      await lock(true);
      isDown = true;
    },
    up,
    async dispose() {
      if (isDown) await up();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

async function s3Backend(): Promise<Backend> {
  const s3: LocalS3 = await startS3();
  // s3rver runs in this process: a 200 MB stream on a loaded CPU can starve it for more
  // than the 5 s a real store is given (the "never answers" case below keeps 5 s).
  const storage = createS3Storage({ ...s3.settings, silenceTimeoutMs: 30_000 });
  return {
    storage,
    down: () => s3.stop(),
    up: () => s3.restart(),
    async dispose() {
      await storage.close();
      await s3.dispose();
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [
  ['fs', fsBackend],
  ['s3', s3Backend],
];

describe.each(backends)('%s storage', (name, make) => {
  let backend: Backend;
  let storage: Storage;
  beforeAll(async () => {
    backend = await make();
    storage = backend.storage;
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it('stores a 20 MB stream and gives back the same bytes, whole and by range', async () => {
    const key = `files/${randomUUID()}/file`;
    const source = generated(20 * MB + 12345);
    const { size } = await storage.put(key, source.stream, {
      contentType: 'application/octet-stream',
    });
    expect(size).toBe(20 * MB + 12345);
    expect(await storage.stat(key)).toEqual({ size });

    const whole = await sha256(await storage.get(key));
    expect(whole).toEqual({ hex: source.digest(), size });

    const all = await read(await storage.get(key));
    for (const [start, end] of [
      [0, 0],
      [10 * MB - 3, 10 * MB + 4],
      [size - 1, size - 1],
    ] as const) {
      const part = await read(await storage.get(key, { start, end }));
      // Lengths first: a diff of megabytes would drown the report (and the heap).
      expect(part.length).toBe(end - start + 1);
      expect(part.toString('hex')).toBe(all.subarray(start, end + 1).toString('hex'));
    }
  });

  it('answers null or NotStoredError for a key with nothing under it', async () => {
    const key = `files/${randomUUID()}/file`;
    expect(await storage.stat(key)).toBeNull();
    await expect(storage.get(key)).rejects.toBeInstanceOf(NotStoredError);
  });

  it('stores an empty stream as an empty object', async () => {
    const key = `files/${randomUUID()}/file`;
    expect(await storage.put(key, Readable.from([]))).toEqual({ size: 0 });
    expect(await storage.stat(key)).toEqual({ size: 0 });
  });

  it('removes only what is under the prefix', async () => {
    const id = randomUUID();
    const put = (key: string) => storage.put(key, Readable.from([Buffer.from(key)]));
    await put(`uploads/${id}/000000000000000`);
    await put(`uploads/${id}/000000008388608`);
    await put(`uploads/${id}x/000000000000000`); // shares the prefix without the slash
    await put(`files/${id}/file`);
    await storage.removePrefix(`uploads/${id}/`);
    expect(await storage.stat(`uploads/${id}/000000000000000`)).toBeNull();
    expect(await storage.stat(`uploads/${id}/000000008388608`)).toBeNull();
    expect(await storage.stat(`uploads/${id}x/000000000000000`)).not.toBeNull();
    expect(await storage.stat(`files/${id}/file`)).not.toBeNull();
    await storage.removePrefix(`uploads/${randomUUID()}/`); // nothing there: fine
  });

  it.each([
    ['a single part', 3 * MB],
    ['a multipart upload', 12 * MB],
  ])('keeps nothing when the body fails half way (%s)', async (_, failAt) => {
    const key = `uploads/${randomUUID()}/000000000000000`;
    const source = generated(40 * MB, failAt);
    await expect(storage.put(key, source.stream)).rejects.toThrow(/client went away/);
    expect(await storage.stat(key)).toBeNull();
  });

  it('refuses keys that climb out of their folder', async () => {
    for (const key of ['../escape', 'files/../../escape', '/etc/passwd', 'files//x', '']) {
      await expect(storage.put(key, Readable.from([Buffer.from('x')]))).rejects.toThrow(
        /Invalid storage key/,
      );
      await expect(storage.get(key)).rejects.toThrow(/Invalid storage key/);
    }
    await expect(storage.removePrefix('../')).rejects.toThrow(/Invalid storage key/);
    await expect(storage.removePrefix('')).rejects.toThrow(/Invalid storage key/);
  });

  it('fails fast with StorageUnavailableError while the store is down, and recovers', async () => {
    await storage.check();
    await backend.down();
    let isDown = true;
    try {
      const key = `down/${randomUUID()}/file`;
      const started = Date.now();
      const source = generated(10 * MB);
      const failure = await storage.put(key, source.stream).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(5000);
      const checked = Date.now();
      await expect(storage.check()).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - checked).toBeLessThan(5000);
      await backend.up();
      isDown = false;
      await storage.check();
      expect(await storage.stat(key)).toBeNull();
    } finally {
      if (isDown) await backend.up();
    }
  });

  it('streams a 200 MB upload without holding it in memory', { timeout: 180_000 }, async () => {
    const key = `files/${randomUUID()}/file`;
    // Warm up first (a multipart upload of 3 parts), so that what is measured is the
    // 200 MB put and not the heap and the HTTP machinery growing to their working size.
    const warmUp = `files/${randomUUID()}/file`;
    await storage.put(warmUp, generated(24 * MB).stream);
    await storage.removePrefix(warmUp.replace(/file$/, ''));
    const source = generated(200 * MB);
    const { result, growth } = await peakRssGrowth(() => storage.put(key, source.stream));
    expect(result.size).toBe(200 * MB);
    console.info(`${name}: 200 MB put, peak RSS growth ${(growth / MB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(60 * MB);
    expect(await storage.stat(key)).toEqual({ size: 200 * MB });
    await storage.removePrefix(key.replace(/file$/, ''));
  });
});

describe('s3 storage against a store that accepts connections and never answers', () => {
  it('gives up within seconds with StorageUnavailableError', { timeout: 30_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.resume(); // read everything, answer nothing
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const storage = createS3Storage({
      kind: 's3',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      bucket: 'relais-test',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    });
    try {
      let started = Date.now();
      const failure = await storage
        .put(`files/${randomUUID()}/file`, Readable.from([randomBytes(MB)]))
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(12_000);
      started = Date.now();
      await expect(storage.check()).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(12_000);
    } finally {
      await storage.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
