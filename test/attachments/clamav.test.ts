import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClamdScanner,
  parseClamdUrl,
  ScanLimitError,
} from '../../domain/attachments/examine/clamav';
import { type RunningClamd, startClamd } from '../../domain/attachments/examine/clamd-process';
import { ScannerUnavailableError } from '../../domain/attachments/examine/types';
import { EICAR, eicar } from './fixtures';

/** A real clamd (Debian clamav-daemon) with the one-line EICAR database, in a temp dir. */
let dir: string;
let clamd: RunningClamd;
let startedInMs: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relais-clamd-'));
  const t0 = Date.now();
  clamd = await startClamd({ dir: join(dir, 'clamd') });
  startedInMs = Date.now() - t0;
});

afterAll(async () => {
  await clamd?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('clamd INSTREAM client', () => {
  it('starts a private clamd in a few seconds and answers PING', async () => {
    expect(startedInMs).toBeLessThan(20_000);
    console.info(`clamd ready in ${startedInMs} ms`);
    await createClamdScanner(clamd.url).ping();
  });

  it('reports a clean file clean, and the EICAR test file with its signature', async () => {
    const scanner = createClamdScanner(clamd.url);
    const clean = join(dir, 'clean.txt');
    await writeFile(clean, 'Pansement refait, plaie propre.\n');
    expect(await scanner.scan(clean)).toEqual({ clean: true });
    const result = await scanner.scan(await eicar(dir));
    expect(result.clean).toBe(false);
    expect(result).toMatchObject({ signature: expect.stringMatching(/^Eicar/) });
  });

  it('streams a 20 MB file in 64 KB chunks (backpressure, never whole in memory)', async () => {
    const big = join(dir, 'big.bin');
    const eicarBytes = Buffer.from(EICAR, 'latin1');
    // 20 MB of zeros, then the EICAR string: a hash signature matches the whole file only,
    // so this must be clean; what it proves is that 20 MB cross the socket in 64 KB chunks.
    await writeFile(big, Buffer.concat([Buffer.alloc(20 * 1024 * 1024), eicarBytes]));
    const scanner = createClamdScanner(clamd.url, { chunkBytes: 64 * 1024 });
    expect(await scanner.scan(big)).toEqual({ clean: true });
  });

  it('is unavailable, never clean, when clamd is stopped, and works again once restarted', async () => {
    const scanner = createClamdScanner(clamd.url, { timeoutMs: 2000 });
    const clean = join(dir, 'clean2.txt');
    await writeFile(clean, 'bonjour\n');
    await clamd.stop();
    await expect(scanner.scan(clean)).rejects.toBeInstanceOf(ScannerUnavailableError);
    await expect(scanner.ping()).rejects.toBeInstanceOf(ScannerUnavailableError);
    await clamd.start();
    expect(await scanner.scan(clean)).toEqual({ clean: true });
  });

  it('is unavailable for a missing socket and a refused TCP port', async () => {
    const path = join(dir, 'clean3.txt');
    await writeFile(path, 'x');
    await expect(
      createClamdScanner(`unix:${join(dir, 'nope.sock')}`).scan(path),
    ).rejects.toBeInstanceOf(ScannerUnavailableError);
    const port = await freePort();
    await expect(createClamdScanner(`tcp://127.0.0.1:${port}`).scan(path)).rejects.toThrow(
      /unreachable/,
    );
  });

  it('times out on a daemon that never answers', async () => {
    const server = createServer((socket) => socket.on('data', () => {}));
    const port = await listen(server);
    const path = join(dir, 'clean4.txt');
    await writeFile(path, 'x');
    const t0 = Date.now();
    await expect(
      createClamdScanner(`tcp://127.0.0.1:${port}`, { timeoutMs: 300 }).scan(path),
    ).rejects.toThrow(/did not answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
    server.close();
  });

  it('turns an ERROR reply into "unavailable", never into a verdict', async () => {
    const server = createServer((socket) => socket.end('Some internal error. ERROR\0'));
    const port = await listen(server);
    const path = join(dir, 'clean5.txt');
    await writeFile(path, 'x');
    const error = await createClamdScanner(`tcp://127.0.0.1:${port}`)
      .scan(path)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScannerUnavailableError);
    expect(error).not.toBeInstanceOf(ScanLimitError);
    server.close();
  });

  it('never reports clean a file over clamd limits (StreamMaxLength, MaxFileSize)', async () => {
    const small = await startClamd({
      dir: join(dir, 'small'),
      limits: { streamMaxLength: '4M', maxFileSize: '1M' },
    });
    try {
      const scanner = createClamdScanner(small.url);
      const twoMb = join(dir, 'two.bin');
      await writeFile(twoMb, Buffer.alloc(2 * 1024 * 1024, 1));
      // Over MaxFileSize: with AlertExceedsMax clamd says Heuristics.Limits.Exceeded…
      await expect(scanner.scan(twoMb)).rejects.toThrow(ScanLimitError);
      const sixMb = join(dir, 'six.bin');
      await writeFile(sixMb, Buffer.alloc(6 * 1024 * 1024, 1));
      // Over StreamMaxLength: "INSTREAM size limit exceeded. ERROR", clamd hangs up mid-stream.
      const error = await scanner.scan(sixMb).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScanLimitError);
      expect(error).toBeInstanceOf(ScannerUnavailableError);
      expect((error as Error).message).toMatch(/StreamMaxLength/);
    } finally {
      await small.stop();
    }
  });

  it('parses unix: and tcp:// URLs and refuses anything else', () => {
    expect(parseClamdUrl('unix:/run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(parseClamdUrl('tcp://clamav:3310')).toEqual({ host: 'clamav', port: 3310 });
    expect(() => parseClamdUrl('http://clamav:3310')).toThrow(/expected/);
    expect(() => parseClamdUrl('unix:relative.sock')).toThrow(/absolute/);
  });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
