/**
 * npm run bench:attachments
 *
 * Issue 11, "Performance", on this machine with a real clamd (private, one-line test
 * database: the scan streams every byte through clamd, as with a full database, minus the
 * signature matching cost) and the real server in a child process with the attachments
 * worker in it (as `npm start` runs it; concurrency ATTACHMENT_WORKER_CONCURRENCY = 2):
 *
 * 1. a 3 MB camera JPEG (12 Mpx, noisy, EXIF with GPS): time from the upload's first
 *    request to `ready` seen by the recipient over realtime, p50/p95, 1 and 8 at once;
 * 2. throughput (MB/s, upload start → ready seen by the recipient) for 1, 10 and 100 MB
 *    plain-text documents (the pipeline is then: type check, clamd scan, store);
 * 3. peak RSS of the server process while 8 × 10 MB, then 8 × 100 MB upload at once;
 * 4. floors, in the same run: the same requests to a bare node:http server that streams
 *    the bytes to disk with their SHA-256 (another child process), and sharp alone doing
 *    the worker's image work (processImage) on the same photo. Ratios are relais / floor
 *    of times (> 1: slower than the floor).
 *
 * Own database (relais_bench_att_<random>, dropped at the end), Redis prefix, clamd and
 * files folder. Prints a table, then one JSON line (last).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Nes from '@hapi/nes/lib/client';
import sharp from 'sharp';
import WebSocket from 'ws';
import { createSession } from '../domain/accounts';
import { startClamd } from '../domain/attachments/examine';
import { processImage } from '../domain/attachments/examine/images';
import { loadConfig } from '../domain/config';
import { closeContext, createContext } from '../domain/context';
import { createDb } from '../domain/db';
import { createRedis } from '../domain/redis';
import { createBenchDatabase, dropBenchDatabase, table } from './lib/bench-db';

const MB = 1024 * 1024;
const CHUNK = 8 * MB; // what the web client sends per PATCH
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const started = Date.now();
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const median = (values: number[]) => percentile(values, 50);

// --- child processes ----------------------------------------------------------------------

function startChild(script: string, env: NodeJS.ProcessEnv) {
  const child: ChildProcess = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env,
  });
  const listening = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    child.on('message', (m) => {
      const msg = m as { type: string; port?: number };
      if (msg.type === 'listening') resolve(msg.port!);
    });
  });
  return { child, listening };
}

function request(child: ChildProcess, type: string, answer: string) {
  return new Promise<void>((resolve) => {
    const on = (m: unknown) => {
      if ((m as { type: string }).type === answer) {
        child.off('message', on);
        resolve();
      }
    };
    child.on('message', on);
    child.send({ type });
  });
}

function stopChild(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

/** A process's resident memory from /proc: the current value and the peak (VmHWM), MiB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/**
 * The peak RSS of a process during `work`: VmHWM reset first (clear_refs 5), and VmRSS
 * sampled every 20 ms as a check. MiB.
 */
async function peakRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    reset = false; // not allowed here: the sampled peak only
  }
  let sampled = memoryOf(pid).rss;
  const timer = setInterval(() => {
    sampled = Math.max(sampled, memoryOf(pid).rss);
  }, 20);
  try {
    const result = await work();
    const { rss, hwm } = memoryOf(pid);
    return { result, peak: Math.round(Math.max(sampled, rss, reset ? hwm : 0)) };
  } finally {
    clearInterval(timer);
  }
}

// --- fixtures -----------------------------------------------------------------------------

/** A 12 Mpx camera-like JPEG, ~3 MB: gaussian noise (so it does not compress to nothing), EXIF with GPS. */
async function makeCameraPhoto(path: string): Promise<void> {
  await sharp({
    create: {
      width: 4032,
      height: 3024,
      channels: 3,
      background: '#807060',
      noise: { type: 'gaussian', mean: 128, sigma: 22 },
    },
  })
    .blur(0.6)
    .jpeg({ quality: 88 })
    .withExif({
      IFD0: { Make: 'Acme', Model: 'WardCam 3' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' },
    })
    .withMetadata({ orientation: 6 })
    .toFile(path);
}

/** Plain text (French-looking words, lines of ~80 characters) of exactly `bytes` bytes. */
async function makeText(path: string, bytes: number): Promise<void> {
  const words = [
    'patient',
    'pansement',
    'plaie',
    'propre',
    'revoir',
    'demain',
    'traitement',
    'douleur',
    'tension',
    'normale',
    'surveillance',
    'infirmier',
    'visite',
    'domicile',
    'ordonnance',
    'renouveler',
  ];
  const out = createWriteStream(path);
  let written = 0;
  const seed = randomBytes(1 << 16);
  let i = 0;
  while (written < bytes) {
    let line = '';
    while (line.length < 78) line += `${words[seed[i++ % seed.length]! % words.length]} `;
    line = `${line.trimEnd()}.\n`;
    const piece = line.length > bytes - written ? line.slice(0, bytes - written) : line;
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += piece.length;
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error) => (err ? reject(err) : resolve())),
  );
}

// nes's client takes the WebSocket class from the browser; in Node it is `ws`.
(Nes.Client as unknown as { WebSocket: unknown }).WebSocket = WebSocket;

// --- the client ---------------------------------------------------------------------------

async function sendChunks(base: string, path: string, id: string, token: string | null) {
  const size = (await stat(path)).size;
  const file = await open(path, 'r');
  try {
    for (let offset = 0; offset < size; offset += CHUNK) {
      const length = Math.min(CHUNK, size - offset);
      const body = Buffer.allocUnsafe(length);
      await file.read(body, 0, length, offset);
      const res = await fetch(`${base}/${id}`, {
        method: 'PATCH',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(offset),
        },
        body: new Uint8Array(body.buffer, body.byteOffset, body.length),
      });
      if (res.status !== 200) throw new Error(`PATCH ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  } finally {
    await file.close();
  }
}

interface Watcher {
  readyOf(id: string): Promise<number>;
  close(): Promise<void>;
}

/** The recipient's realtime socket: resolves when a file is seen ready (event or message). */
async function watchRecipient(url: string, token: string, accountId: number): Promise<Watcher> {
  const waiting = new Map<string, { resolve: (t: number) => void; reject: (e: Error) => void }>();
  const seen = new Map<string, number>();
  const settle = (attachment: { id: string; status: string; reason: string | null }) => {
    if (attachment.status === 'uploading' || attachment.status === 'pending') return;
    if (seen.has(attachment.id)) return;
    const at = performance.now();
    seen.set(attachment.id, at);
    const waiter = waiting.get(attachment.id);
    if (attachment.status !== 'ready') {
      waiter?.reject(
        new Error(`file ${attachment.id} ${attachment.status} (${attachment.reason})`),
      );
    } else waiter?.resolve(at);
  };
  const socket = new Nes.Client(`ws://${url.slice('http://'.length)}`);
  await socket.connect({ auth: { headers: { authorization: `Bearer ${token}` } } });
  await socket.subscribe(`/users/${accountId}`, (event) => {
    const e = event as {
      type: string;
      attachment?: { id: string; status: string; reason: string | null };
      message?: { attachments?: Array<{ id: string; status: string; reason: string | null }> };
    };
    if (e.type === 'attachment.updated' && e.attachment) settle(e.attachment);
    if (e.type === 'message.created') for (const a of e.message?.attachments ?? []) settle(a);
  });
  return {
    readyOf(id) {
      const at = seen.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`file ${id} not ready in 120 s`)), 120_000);
        waiting.set(id, {
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
      });
    },
    close: () => socket.disconnect(),
  };
}

interface Relais {
  url: string;
  sender: { token: string };
  conversationId: number;
  watcher: Watcher;
}

/** Per file: when its last chunk was accepted (ms after its first request), by id order of calls. */
const uploadedAfter: number[] = [];

/** One file through Relais: upload, send in a message, until the recipient sees it ready. ms. */
async function throughRelais(relais: Relais, path: string, type: string): Promise<number> {
  const size = (await stat(path)).size;
  const t0 = performance.now();
  const auth = {
    authorization: `Bearer ${relais.sender.token}`,
    'content-type': 'application/json',
  };
  const created = await fetch(`${relais.url}/api/uploads`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      name: path.split('/').pop(),
      type,
      size,
      conversationId: relais.conversationId,
    }),
  });
  if (created.status !== 201)
    throw new Error(`POST /api/uploads ${created.status}: ${await created.text()}`);
  const { upload } = (await created.json()) as { upload: { id: string } };
  const ready = relais.watcher.readyOf(upload.id);
  ready.catch(() => {}); // awaited below; not unhandled if the upload fails first
  await sendChunks(`${relais.url}/api/uploads`, path, upload.id, relais.sender.token);
  uploadedAfter.push(performance.now() - t0);
  const sent = await fetch(`${relais.url}/api/conversations/${relais.conversationId}/messages`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ id: randomUUID(), body: '', attachments: [upload.id] }),
  });
  if (sent.status !== 201) throw new Error(`send ${sent.status}: ${await sent.text()}`);
  return (await ready) - t0;
}

/** The same requests to the bare floor server. ms. */
async function throughFloor(url: string, path: string): Promise<number> {
  const t0 = performance.now();
  await sendChunks(`${url}/uploads`, path, randomUUID(), null);
  return performance.now() - t0;
}

/** `n` at once, `rounds` times: every latency. */
async function atOnce(n: number, rounds: number, one: () => Promise<number>): Promise<number[]> {
  const all: number[] = [];
  for (let r = 0; r < rounds; r++) all.push(...(await Promise.all(Array.from({ length: n }, one))));
  return all;
}

// --- main ---------------------------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), 'relais-bench-att-'));
const { name: dbName, url: dbUrl } = await createBenchDatabase('att_');
const prefix = `relais_bench_att_${randomBytes(4).toString('hex')}`;
const children: ChildProcess[] = [];
const clamd = await startClamd({ dir: join(work, 'clamd') });

try {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    CLAMAV_URL: clamd.url,
    ATTACHMENTS_DIR: join(work, 'files'),
    ATTACHMENT_MAX_MB: '128',
    ATTACHMENT_DAILY_MB: '100000',
  };

  // Fixtures.
  console.error('generating fixtures…');
  const photo = join(work, 'camera.jpg');
  await makeCameraPhoto(photo);
  const photoBytes = (await stat(photo)).size;
  const texts: Record<number, string> = {};
  for (const mb of [1, 10, 100]) {
    texts[mb] = join(work, `notes-${mb}mb.txt`);
    await makeText(texts[mb]!, mb * MB);
  }

  // Two professionals with accounts and sessions; one conversation between them.
  const db = createDb(dbUrl, { min: 0, max: 2 });
  const ctx = createContext(loadConfig(env), { db });
  const people: Array<{ accountId: number; token: string; professionalId: number }> = [];
  for (const [first, last] of [
    ['Alice', 'Martin'],
    ['Bruno', 'Petit'],
  ] as const) {
    const [pro] = await db('professionals')
      .insert({
        national_id: `8${randomBytes(5).readUIntBE(0, 5)}`,
        id_type: '8',
        identifier: String(randomBytes(5).readUIntBE(0, 5)),
        first_name: first,
        last_name: last,
        profession_label: 'Médecin',
      })
      .returning('id');
    const [account] = await db('accounts')
      .insert({
        email: `${first.toLowerCase()}@bench.test`,
        first_name: first,
        last_name: last,
        professional_id: pro.id,
      })
      .returning('id');
    const { token } = await createSession(ctx, Number(account.id), 'password');
    people.push({ accountId: Number(account.id), token, professionalId: Number(pro.id) });
  }
  const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]];

  // The servers.
  const relaisChild = startChild('./lib/attachments-server.ts', env);
  const floorChild = startChild('./lib/upload-floor.ts', env);
  children.push(relaisChild.child, floorChild.child);
  const relaisUrl = `http://127.0.0.1:${await relaisChild.listening}`;
  const floorUrl = `http://127.0.0.1:${await floorChild.listening}`;
  const relaisPid = relaisChild.child.pid!;
  const floorPid = floorChild.child.pid!;
  const idleRss = Math.round(memoryOf(relaisPid).rss);

  const conversation = await fetch(`${relaisUrl}/api/conversations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      subject: 'Bench',
      recipients: [{ kind: 'professional', id: bob.professionalId }],
      message: { id: randomUUID(), body: 'Les photos suivent.' },
    }),
  });
  if (conversation.status !== 201) throw new Error(`conversation ${conversation.status}`);
  const conversationId = Number(
    ((await conversation.json()) as { conversation: { id: number } }).conversation.id,
  );
  const watcher = await watchRecipient(relaisUrl, bob.token, bob.accountId);
  const relais: Relais = { url: relaisUrl, sender: alice, conversationId, watcher };
  const cleanFloor = () => request(floorChild.child, 'clean', 'cleaned');

  // Warm-up (JIT, connection pools, sharp's first load), not measured.
  console.error('warming up…');
  await throughRelais(relais, photo, 'image/jpeg');
  await throughRelais(relais, texts[1]!, 'text/plain');
  await throughFloor(floorUrl, photo);

  // 1. The camera photo, 1 and 8 at once.
  console.error('photo, 1 at once…');
  const photo1 = await atOnce(1, 7, () => throughRelais(relais, photo, 'image/jpeg'));
  const floorUpload1 = await atOnce(1, 7, () => throughFloor(floorUrl, photo));
  const sharp1: number[] = [];
  for (let i = 0; i < 7; i++) {
    const dir = await mkdtemp(join(work, 'sharp-'));
    const t0 = performance.now();
    const out = await processImage(photo, 'image/jpeg', dir, 50_000_000);
    sharp1.push(performance.now() - t0);
    if (!out.ok) throw new Error(`sharp: ${out.reason}`);
    await rm(dir, { recursive: true });
  }
  console.error('photo, 8 at once…');
  const photo8 = await atOnce(8, 3, () => throughRelais(relais, photo, 'image/jpeg'));
  const floorUpload8 = await atOnce(8, 3, () => throughFloor(floorUrl, photo));
  const sharp8 = await atOnce(8, 3, async () => {
    const dir = await mkdtemp(join(work, 'sharp-'));
    const t0 = performance.now();
    await processImage(photo, 'image/jpeg', dir, 50_000_000);
    const ms = performance.now() - t0;
    await rm(dir, { recursive: true });
    return ms;
  });
  await cleanFloor();

  // 2. Throughput, one file at a time.
  const throughput: Record<
    number,
    { relaisMs: number; uploadMs: number; floorMs: number; runs: number }
  > = {};
  for (const [mb, runs] of [
    [1, 5],
    [10, 3],
    [100, 2],
  ] as const) {
    console.error(`throughput, ${mb} MB…`);
    uploadedAfter.length = 0;
    const r = await atOnce(1, runs, () => throughRelais(relais, texts[mb]!, 'text/plain'));
    const uploadMs = median(uploadedAfter);
    const f = await atOnce(1, runs, () => throughFloor(floorUrl, texts[mb]!));
    await cleanFloor();
    throughput[mb] = { relaisMs: median(r), uploadMs, floorMs: median(f), runs };
  }

  // 3. Peak RSS of the server, 8 uploads at once: 10 MB then 100 MB files.
  console.error('8 × 10 MB at once…');
  const before10 = Math.round(memoryOf(relaisPid).rss);
  const rss10 = await peakRss(relaisPid, () =>
    atOnce(8, 1, () => throughRelais(relais, texts[10]!, 'text/plain')),
  );
  console.error('8 × 100 MB at once…');
  const before100 = Math.round(memoryOf(relaisPid).rss);
  const rss100 = await peakRss(relaisPid, () =>
    atOnce(8, 1, () => throughRelais(relais, texts[100]!, 'text/plain')),
  );
  const floorRss100 = await peakRss(floorPid, () =>
    atOnce(8, 1, () => throughFloor(floorUrl, texts[100]!)),
  );
  await cleanFloor();
  const wall100 = Math.max(...rss100.result);
  const floorWall100 = Math.max(...floorRss100.result);

  // --- report ---
  const p = (values: number[], q: number) => Math.round(percentile(values, q));
  const floor1 = median(floorUpload1) + median(sharp1);
  const floor8p50 = median(floorUpload8) + median(sharp8);
  const floor8p95 = percentile(floorUpload8, 95) + percentile(sharp8, 95);
  const mbps = (mb: number, ms: number) => round(mb / (ms / 1000));
  const rows: (string | number)[][] = [
    ['measure', 'relais', 'floor', 'relais/floor'],
    [
      `photo ${round(photoBytes / MB)} MB, 1 at once, p50 (ms)`,
      p(photo1, 50),
      Math.round(floor1),
      round(median(photo1) / floor1, 2),
    ],
    ['photo, 1 at once, p95 (ms)', p(photo1, 95), '', ''],
    [
      'photo, 8 at once, p50 (ms)',
      p(photo8, 50),
      Math.round(floor8p50),
      round(median(photo8) / floor8p50, 2),
    ],
    [
      'photo, 8 at once, p95 (ms)',
      p(photo8, 95),
      Math.round(floor8p95),
      round(percentile(photo8, 95) / floor8p95, 2),
    ],
    [
      '  floor: bare upload, 1 / 8 at once p50 (ms)',
      '',
      `${p(floorUpload1, 50)} / ${p(floorUpload8, 50)}`,
      '',
    ],
    ['  floor: sharp alone, 1 / 8 at once p50 (ms)', '', `${p(sharp1, 50)} / ${p(sharp8, 50)}`, ''],
    ...[1, 10, 100].flatMap((mb) => [
      [
        `${mb} MB text, upload → ready (MB/s)`,
        mbps(mb, throughput[mb]!.relaisMs),
        mbps(mb, throughput[mb]!.floorMs),
        round(throughput[mb]!.relaisMs / throughput[mb]!.floorMs, 2),
      ],
      [
        `  of which upload alone (MB/s)`,
        mbps(mb, throughput[mb]!.uploadMs),
        mbps(mb, throughput[mb]!.floorMs),
        round(throughput[mb]!.uploadMs / throughput[mb]!.floorMs, 2),
      ],
    ]),
    ['server RSS idle (MiB)', idleRss, '', ''],
    ['server RSS before 8 × 10 MB (MiB)', before10, '', ''],
    ['server peak RSS, 8 × 10 MB at once (MiB)', rss10.peak, '', ''],
    ['server RSS before 8 × 100 MB (MiB)', before100, '', ''],
    [
      'server peak RSS, 8 × 100 MB at once (MiB)',
      rss100.peak,
      floorRss100.peak,
      round(rss100.peak / floorRss100.peak, 2),
    ],
    [
      '8 × 100 MB at once, all ready (s)',
      round(wall100 / 1000),
      round(floorWall100 / 1000),
      round(wall100 / floorWall100, 2),
    ],
  ];
  console.log(table(rows));
  console.log(
    `\nphoto: ${round(photoBytes / MB, 2)} MB JPEG 4032×3024; documents: plain text; ` +
      'floor of the photo = bare upload + sharp alone (processImage); ' +
      'throughput floor = bare upload only; 2 CPUs, worker concurrency 2.',
  );
  console.log(
    JSON.stringify({
      bench: 'attachments',
      cpus: (await import('node:os')).cpus().length,
      node: process.version,
      photoMB: round(photoBytes / MB, 2),
      photo1: { p50: p(photo1, 50), p95: p(photo1, 95), runs: photo1.length },
      photo8: { p50: p(photo8, 50), p95: p(photo8, 95), runs: photo8.length },
      photoFloor: {
        upload1p50: p(floorUpload1, 50),
        upload8p50: p(floorUpload8, 50),
        upload8p95: p(floorUpload8, 95),
        sharp1p50: p(sharp1, 50),
        sharp8p50: p(sharp8, 50),
        sharp8p95: p(sharp8, 95),
      },
      photoRatio: {
        p50at1: round(median(photo1) / floor1, 2),
        p50at8: round(median(photo8) / floor8p50, 2),
        p95at8: round(percentile(photo8, 95) / floor8p95, 2),
      },
      throughputMBps: Object.fromEntries(
        [1, 10, 100].map((mb) => [
          `${mb}MB`,
          {
            relais: mbps(mb, throughput[mb]!.relaisMs),
            uploadOnly: mbps(mb, throughput[mb]!.uploadMs),
            floor: mbps(mb, throughput[mb]!.floorMs),
            ratio: round(throughput[mb]!.relaisMs / throughput[mb]!.floorMs, 2),
          },
        ]),
      ),
      rssMiB: {
        idle: idleRss,
        before8x10MB: before10,
        peak8x10MB: rss10.peak,
        before8x100MB: before100,
        peak8x100MB: rss100.peak,
        floorPeak8x100MB: floorRss100.peak,
      },
      wall8x100MBs: { relais: round(wall100 / 1000), floor: round(floorWall100 / 1000) },
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
    }),
  );
  await watcher.close();
  await stopChild(relaisChild.child);
  await stopChild(floorChild.child);
  await closeContext(ctx);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await clamd.stop();
  await dropBenchDatabase(dbName).catch((err) => console.error('drop failed', err));
  const redis = createRedis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  await rm(work, { recursive: true, force: true });
}
