import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * The floor of the attachments benchmark: the least a server can do with the same upload
 * requests. A bare node:http server that streams each PATCH body to a file (appending at
 * the offset the client sends) while computing its SHA-256, as Relais does; no database,
 * no storage abstraction, no scan. IPC: `{type: 'listening', port}`; `clean` deletes what
 * it received (answers `cleaned`); `stop` exits.
 */
const dir = await mkdtemp(join(tmpdir(), 'relais-bench-floor-'));
const hashes = new Map<string, Hash>();

const http = createServer(async (req, res) => {
  const match = /^\/uploads\/([a-z0-9-]+)$/.exec(req.url ?? '');
  if (req.method !== 'PATCH' || !match) {
    res.writeHead(404).end();
    return;
  }
  const id = match[1]!;
  let hash = hashes.get(id);
  if (!hash) {
    hash = createHash('sha256');
    hashes.set(id, hash);
  }
  const running = hash;
  try {
    await pipeline(
      req,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          running.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(join(dir, id), { flags: 'a' }),
    );
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
});
http.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (http.address() as { port: number }).port });
});

process.on('message', async (msg: { type: string }) => {
  if (msg.type === 'clean') {
    hashes.clear();
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    process.send?.({ type: 'cleaned' });
  } else if (msg.type === 'stop') {
    http.close();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
