import { stat } from 'node:fs/promises';
import type { AttachmentKind, RejectReason } from '../types';
import { processImage } from './images';
import { processPdf } from './pdf';
import { sniff } from './sniff';
import type { Transformed } from './transformed';
import type { Examined, ExamineOptions } from './types';
import { processMedia } from './video';

export { createClamdScanner, parseClamdUrl, ScanLimitError } from './clamav';
export { writeClamdConfig, writeTestSignatures } from './clamd-config';
export { type RunningClamd, startClamd } from './clamd-process';
export { findTool } from './tools';
export * from './types';

/**
 * Examines a complete upload (a local copy): empty → real type → size limit for that type
 * → antivirus → kind-specific processing, outputs in `options.workDir`. Every verdict on
 * the file is returned; it throws only for problems worth a retry (ScannerUnavailableError,
 * a full disk…). Nothing is served unless it comes back `ready`.
 */
export async function examineFile(inputPath: string, options: ExamineOptions): Promise<Examined> {
  const { limits } = options;
  const { size } = await stat(inputPath);
  const scanned = options.scanner !== null;
  const refuse = (reason: RejectReason, mediaType: string | null, detail: string): Examined => ({
    outcome: 'rejected',
    reason,
    mediaType,
    detail,
    scanned: false,
  });
  if (size === 0) return refuse('empty', null, 'zero bytes');

  const sniffed = await sniff(inputPath, { maxTextBytes: limits.maxBytes });
  if (!sniffed.ok) return refuse(sniffed.reason, sniffed.mediaType, sniffed.detail);
  const { mediaType, kind } = sniffed;
  const max = kind === 'video' ? limits.videoMaxBytes : limits.maxBytes;
  if (size > max) return refuse('too-large', mediaType, `${size} bytes > ${max} for ${kind}`);

  // Before any decoder touches the file: sharp, ffmpeg and poppler parse hostile input.
  if (options.scanner) {
    const result = await options.scanner.scan(inputPath);
    if (!result.clean) {
      return {
        outcome: 'infected',
        reason: 'malware',
        mediaType,
        detail: result.signature,
        scanned: true,
      };
    }
  }

  const done = await transform(inputPath, mediaType, kind, options);
  if (!done.ok)
    return { outcome: 'rejected', reason: done.reason, mediaType, detail: done.detail, scanned };
  return {
    outcome: 'ready',
    mediaType: done.mediaType ?? mediaType,
    kind: done.kind ?? kind,
    scanned,
    servedPath: done.servedPath,
    servedType: done.servedType,
    thumbnailPath: done.thumbnailPath,
    width: done.width,
    height: done.height,
    durationSeconds: done.durationSeconds,
  };
}

async function transform(
  input: string,
  mediaType: string,
  kind: AttachmentKind,
  options: ExamineOptions,
): Promise<Transformed> {
  switch (kind) {
    case 'image':
      return processImage(input, mediaType, options.workDir, options.limits.maxPixels);
    case 'video':
    case 'audio':
      return processMedia(input, mediaType, {
        ffmpeg: options.tools.ffmpeg,
        workDir: options.workDir,
      });
    case 'document':
      if (mediaType === 'application/pdf')
        return processPdf(input, options.tools.pdftoppm, options.workDir);
      // Office files and text: served as they are, as downloads, no thumbnail.
      return {
        ok: true as const,
        servedPath: input,
        servedType: mediaType,
        thumbnailPath: null,
        width: null,
        height: null,
        durationSeconds: null,
      };
  }
}
