import { finished, type Readable, Transform } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Settings } from '../config';
import { checkKey } from './fs';
import { NotStoredError, type Storage, StorageUnavailableError } from './types';

/** Multipart part size: what one upload holds in memory per part in flight. */
const PART_SIZE = 8 * 1024 * 1024;
/** Parts sent at once: memory per upload stays about (QUEUE_SIZE + 2) × PART_SIZE. */
const QUEUE_SIZE = 2;

/**
 * Any S3-compatible store (AWS, MinIO, Garage, Ceph, s3rver in tests). Uploads stream in
 * 8 MB parts (never a whole file in memory); a dead store fails fast (short timeouts, one
 * retry) so that the caller answers 503 instead of hanging.
 */
export function createS3Storage(settings: S3Settings & { kind: 's3' }): Storage {
  const base: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
    },
    // The SDK's default (checksums on every upload) frames a streamed body with
    // aws-chunked trailers that some S3-compatible stores keep as content (~56 bytes more).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
  // Writes and metadata: a store that does not connect within 3 s, or stops answering
  // for 5 s, is down.
  const client = new S3Client({
    ...base,
    requestHandler: {
      connectionTimeout: 3000,
      socketTimeout: settings.silenceTimeoutMs ?? 5000,
      requestTimeout: 60_000,
      throwOnRequestTimeout: true,
    },
  });
  // Reads: same for the answer's headers, but the body is streamed to a client that may
  // pause (a video on pause): allow a longer silence before the socket is closed.
  const reader = new S3Client({
    ...base,
    requestHandler: {
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      throwOnRequestTimeout: true,
      socketTimeout: 120_000,
    },
  });
  const Bucket = settings.bucket;

  return {
    kind: 's3',

    async put(key, body, options) {
      checkKey(key);
      let size = 0;
      let bodyError: unknown;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      });
      // The body's own failure (client gone, size limit hit by the caller) ends the
      // upload with that error; lib-storage then aborts the multipart upload.
      finished(body, { writable: false }, (err) => {
        if (err) {
          bodyError ??= err;
          counter.destroy(err);
        }
      });
      body.pipe(counter);
      const upload = new Upload({
        client,
        params: {
          Bucket,
          Key: key,
          Body: counter,
          ...(options?.contentType ? { ContentType: options.contentType } : {}),
        },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
        return { size };
      } catch (err) {
        body.unpipe(counter);
        counter.destroy();
        if (bodyError !== undefined) throw bodyError;
        throw unavailable(`storing ${key}`, err);
      }
    },

    async get(key, range) {
      checkKey(key);
      try {
        const out = await reader.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        return out.Body as Readable;
      } catch (err) {
        if (isNotFound(err)) throw new NotStoredError(key);
        throw isStoreFailure(err) ? unavailable(`reading ${key}`, err) : err;
      }
    },

    async stat(key) {
      checkKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: out.ContentLength ?? 0 };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw unavailable(`looking up ${key}`, err);
      }
    },

    async removePrefix(prefix) {
      // A folder ("uploads/<id>/") or one object; never the whole bucket.
      checkKey(prefix.replace(/\/$/, ''));
      try {
        let ContinuationToken: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken, MaxKeys: 1000 }),
          );
          const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
          if (keys.length) {
            const out = await client.send(
              new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }),
            );
            if (out.Errors?.length) {
              const first = out.Errors[0]!;
              throw new Error(`could not delete ${first.Key}: ${first.Code} ${first.Message}`);
            }
          }
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
      } catch (err) {
        throw unavailable(`deleting ${prefix}`, err);
      }
    },

    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (err) {
        throw unavailable(`reaching bucket ${Bucket}`, err);
      }
    },

    async close() {
      client.destroy();
      reader.destroy();
    },
  };
}

type SdkError = Error & {
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
};

function isNotFound(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** The store failed, as opposed to a bad request of ours (a range past the end…). */
function isStoreFailure(err: unknown): boolean {
  const e = err as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  if (status === undefined) return true; // no answer at all: refused, reset, timed out
  return status >= 500 || status === 403 || status === 401;
}

function unavailable(what: string, err: unknown): StorageUnavailableError {
  if (err instanceof StorageUnavailableError) return err;
  const e = err as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  const detail = [e?.code ?? e?.Code ?? e?.name, status ? `HTTP ${status}` : null, e?.message]
    .filter(Boolean)
    .join(', ');
  return new StorageUnavailableError(`S3 storage failed ${what} (${detail})`, { cause: err });
}
