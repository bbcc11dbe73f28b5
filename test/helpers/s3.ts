import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import type { S3Settings } from '../../domain/attachments/config';
import { freePort } from './ports';

export interface LocalS3 {
  settings: S3Settings & { kind: 's3' };
  /** Closes the server and every connection: clients then get "connection refused". */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same bucket and objects. */
  restart(): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
}

interface S3rverObject {
  content: Readable | null;
  range?: { start: number; end: number };
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  httpServer?: Server;
  store: {
    getObject(
      bucket: string,
      key: string,
      options?: { start?: number; end?: number },
    ): Promise<S3rverObject | null>;
    getResourcePath(bucket: string, key: string, resource: string): string;
  };
}

/** s3rver in this process, on a free port, in a temporary folder, with one bucket. */
export async function startS3(bucket = 'relais-test'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'relais-s3-'));
  const port = await freePort();
  let server: S3rverInstance | null = null;

  const start = async () => {
    // A fresh instance each time: s3rver closes its logger with its HTTP server.
    const instance: S3rverInstance = new S3rver({
      address: '127.0.0.1',
      port,
      directory,
      silent: true,
      configureBuckets: [{ name: bucket }],
    });
    // s3rver 3.7.1 reads `Range: bytes=0-0` as `bytes=0-` (its end 0 is falsy) and sends
    // the whole object; S3, MinIO and the fs storage send the one byte. Put that right.
    const store = instance.store;
    const getObject = store.getObject.bind(store);
    store.getObject = async (bucket, key, options) => {
      const object = await getObject(bucket, key, options);
      if (object?.content && options?.start === 0 && options.end === 0) {
        object.content.destroy();
        object.content = createReadStream(store.getResourcePath(bucket, key, 'object'), {
          start: 0,
          end: 0,
        });
        object.range = { start: 0, end: 0 };
      }
      return object;
    };
    await instance.run();
    server = instance;
  };
  const stop = async () => {
    const http = server?.httpServer;
    server = null;
    if (!http) return;
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  };

  await start();
  return {
    settings: {
      kind: 's3',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      bucket,
      // s3rver's built-in account.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
