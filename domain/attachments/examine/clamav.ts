import { createReadStream } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { type Scanner, ScannerUnavailableError } from './types';

/**
 * clamd refused to give a verdict because the file is over one of its limits
 * (StreamMaxLength: "INSTREAM size limit exceeded"; MaxFileSize/MaxScanSize… with
 * AlertExceedsMax: a "Heuristics.Limits.Exceeded.*" alert). Never a clean verdict; not an
 * infection either: clamd's configuration is below our upload limits (see clamd-config.ts).
 * A ScannerUnavailableError, so the job retries and the file stays pending, never served.
 */
export class ScanLimitError extends ScannerUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'ScanLimitError';
  }
}

export interface ClamdOptions {
  /** No byte from clamd for this long (connecting, sending or waiting for a verdict). */
  timeoutMs?: number;
  /** Bytes per INSTREAM chunk; clamd's StreamMaxLength bounds the total, not the chunk. */
  chunkBytes?: number;
}

type Address = { path: string } | { host: string; port: number };

/** `unix:/run/clamav/clamd.ctl` or `tcp://clamav:3310`. */
export function parseClamdUrl(url: string): Address {
  if (url.startsWith('unix:')) {
    const path = url.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/'))
      throw new Error(`clamd URL ${url}: the socket path must be absolute`);
    return { path };
  }
  const parsed = new URL(url);
  if (parsed.protocol !== 'tcp:' || !parsed.hostname || !parsed.port) {
    throw new Error(`clamd URL ${url}: expected unix:/path/to.sock or tcp://host:port`);
  }
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port) };
}

/**
 * A Scanner speaking clamd's INSTREAM protocol over a socket: `zINSTREAM\0`, then chunks
 * each prefixed by its length (4 bytes, big-endian), then a zero length; clamd answers
 * `stream: OK`, `stream: <signature> FOUND` or `<message> ERROR`, NUL-terminated. The file
 * is streamed with backpressure (never read whole into memory).
 */
export function createClamdScanner(url: string, options: ClamdOptions = {}): Scanner {
  const address = parseClamdUrl(url);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const chunkBytes = options.chunkBytes ?? 256 * 1024;

  return {
    async scan(path) {
      const reply = await converse(address, timeoutMs, 'zINSTREAM\0', async (socket) => {
        const frame = Buffer.alloc(4);
        for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) {
          if (socket.destroyed || socket.writableEnded) return; // clamd hung up: its reply says why
          frame.writeUInt32BE((chunk as Buffer).length, 0);
          socket.write(Buffer.from(frame));
          if (!socket.write(chunk)) await drained(socket);
        }
        if (!socket.destroyed) socket.write(Buffer.alloc(4)); // zero length: end of stream
      });
      return verdict(reply);
    },
    async ping() {
      const reply = await converse(address, Math.min(timeoutMs, 10_000), 'zPING\0');
      if (reply !== 'PONG')
        throw new ScannerUnavailableError(`clamd answered PING with "${reply}"`);
    },
  };
}

function verdict(reply: string): { clean: true } | { clean: false; signature: string } {
  if (reply === 'stream: OK') return { clean: true };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found) {
    const signature = found[1]!;
    if (signature.startsWith('Heuristics.Limits.Exceeded')) {
      throw new ScanLimitError(
        `clamd did not scan the whole file (${signature}): raise its limits`,
      );
    }
    return { clean: false, signature };
  }
  if (/size limit exceeded/i.test(reply)) {
    throw new ScanLimitError(`clamd refused the stream ("${reply}"): raise its StreamMaxLength`);
  }
  throw new ScannerUnavailableError(`clamd could not scan: "${reply}"`);
}

/** Sends a command (and a body), reads the NUL-terminated reply. Every failure is "unavailable". */
function converse(
  address: Address,
  timeoutMs: number,
  command: string,
  body?: (socket: Socket) => Promise<void>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    const received: Buffer[] = [];
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const reply = Buffer.concat(received).toString('utf8').replace(/\0.*$/s, '').trim();
      // clamd may answer (e.g. size limit exceeded) and hang up while we are still
      // sending: its reply wins over our write error.
      if (reply) resolve(reply);
      else if (error) reject(error);
      else reject(new ScannerUnavailableError('clamd closed the connection without answering'));
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new ScannerUnavailableError(`clamd did not answer within ${timeoutMs} ms`)),
    );
    socket.on('error', (cause) =>
      finish(new ScannerUnavailableError(`clamd unreachable: ${cause.message}`, { cause })),
    );
    socket.on('data', (data: Buffer) => {
      received.push(data);
      if (data.includes(0)) finish(null);
    });
    socket.on('close', () => finish(null));
    socket.on('connect', () => {
      socket.write(command);
      // A failure here is reading our own file (ENOENT, EIO…): not clamd's; passed on as is.
      body?.(socket).catch((error: Error) => finish(error));
    });
  });
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
