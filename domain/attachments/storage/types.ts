import type { Readable } from 'node:stream';

/**
 * Where file bytes live: the local filesystem by default (one node, `npm start`), any
 * S3-compatible store for several nodes. Keys are `/`-separated, made of [A-Za-z0-9._/-]
 * only (callers build them from ids, never from user input).
 */
export interface Storage {
  readonly kind: 'fs' | 's3';
  /**
   * Stores the stream under `key` and resolves with the bytes written. All or nothing: if
   * the stream errors (client gone) or the store fails, nothing is left under `key` and the
   * promise rejects (StorageUnavailableError when the store itself failed).
   */
  put(key: string, body: Readable, options?: { contentType?: string }): Promise<{ size: number }>;
  /** The object's bytes, or the inclusive byte range [start, end]. Rejects with NotStoredError when absent. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** The object's size, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Deletes every object whose key starts with `prefix` (nothing to delete is fine). */
  removePrefix(prefix: string): Promise<void>;
  /** Resolves when the store answers; rejects with StorageUnavailableError otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The store did not answer or refused: the caller answers 503 and records nothing. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

export class NotStoredError extends Error {
  constructor(key: string) {
    super(`Nothing is stored under ${key}`);
    this.name = 'NotStoredError';
  }
}
