import type { AttachmentKind, RejectReason } from '../types';

/** What a kind-specific step (images, video, pdf) returns to examineFile. */
export type Transformed =
  | {
      ok: true;
      servedPath: string;
      servedType: string;
      thumbnailPath: string | null;
      width: number | null;
      height: number | null;
      durationSeconds: number | null;
      /** When processing found it is something else within the allow-list (an audio-only MP4). */
      kind?: AttachmentKind;
      mediaType?: string;
    }
  | { ok: false; reason: RejectReason; detail: string };

/**
 * Errors of our machine rather than of the file (disk full, too many open files, out of
 * memory): rethrown so that the job retries, instead of refusing a good file.
 */
export function isEnvironmentError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
