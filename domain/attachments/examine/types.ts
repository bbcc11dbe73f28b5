import type { AttachmentKind, RejectReason } from '../types';

/**
 * What the processing worker asks of a complete upload, on a local copy of its bytes:
 * what it really is, whether it is clean, and what to serve. Pure of the database and of
 * storage, so that each bad input is tested on its own.
 */
export interface ExamineOptions {
  /** A private, empty directory for outputs and tools' temporary files. */
  workDir: string;
  /** null: no antivirus configured (development only); the result says `scanned: false`. */
  scanner: Scanner | null;
  /** Absolute paths of the Debian tools, or null when missing (no poster / PDF thumbnail). */
  tools: { ffmpeg: string | null; pdftoppm: string | null };
  limits: {
    /** Images, documents, audio (bytes). */
    maxBytes: number;
    /** Videos (bytes). */
    videoMaxBytes: number;
    /** Pixels of a decoded image (width × height). */
    maxPixels: number;
  };
}

export type Examined =
  | {
      outcome: 'ready';
      mediaType: string;
      kind: AttachmentKind;
      scanned: boolean;
      /** The file to serve: re-encoded (images, videos, audio) or the original (documents). */
      servedPath: string;
      servedType: string;
      /** A WebP thumbnail at most 480 px wide/high, or null (audio, no tool, office formats). */
      thumbnailPath: string | null;
      width: number | null;
      height: number | null;
      durationSeconds: number | null;
    }
  | {
      outcome: 'rejected' | 'infected';
      reason: RejectReason;
      /** Detected type when known, for the logs. */
      mediaType: string | null;
      /** For the logs only (a signature name, a tool's message): never shown to users. */
      detail: string;
      scanned: boolean;
    };

/** An antivirus. Throws ScannerUnavailableError when it cannot answer: the job retries. */
export interface Scanner {
  scan(path: string): Promise<{ clean: true } | { clean: false; signature: string }>;
  ping(): Promise<void>;
}

export class ScannerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScannerUnavailableError';
  }
}
