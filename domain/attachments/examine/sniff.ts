import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import type { AttachmentKind } from '../types';
import { legacyOfficeType } from './cfb';

export type Sniffed =
  | { ok: true; mediaType: string; kind: AttachmentKind }
  | { ok: false; reason: 'empty' | 'type-not-allowed'; mediaType: string | null; detail: string };

/**
 * The allow-list, keyed by what file-type 21 reports (its `mime`), mapped to the type we
 * record and serve. Only the bytes count: the declared type and the name are never looked at.
 * - `image/apng` is served as its first frame, re-encoded as PNG.
 * - `video/x-m4v` is an MP4 by another name (iTunes brand).
 * - HEIC/HEIF are let through here; images.ts refuses them as 'unreadable' when sharp's
 *   prebuilt libheif cannot decode them (no HEVC decoder: most camera HEIC).
 * - Macro-enabled Office (docm, xlsm, pptm), templates, AVIF, SVG, 3GP, WAV, Ogg… are not
 *   listed: refused.
 */
const ALLOWED = new Map<string, { mediaType: string; kind: AttachmentKind }>([
  ['image/jpeg', { mediaType: 'image/jpeg', kind: 'image' }],
  ['image/png', { mediaType: 'image/png', kind: 'image' }],
  ['image/apng', { mediaType: 'image/png', kind: 'image' }],
  ['image/webp', { mediaType: 'image/webp', kind: 'image' }],
  ['image/gif', { mediaType: 'image/gif', kind: 'image' }],
  ['image/heic', { mediaType: 'image/heic', kind: 'image' }],
  ['image/heif', { mediaType: 'image/heif', kind: 'image' }],
  ['image/heic-sequence', { mediaType: 'image/heic', kind: 'image' }],
  ['image/heif-sequence', { mediaType: 'image/heif', kind: 'image' }],
  ['application/pdf', { mediaType: 'application/pdf', kind: 'document' }],
  ...[
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'application/vnd.oasis.opendocument.presentation',
  ].map((type) => [type, { mediaType: type, kind: 'document' as const }] as const),
  ['video/mp4', { mediaType: 'video/mp4', kind: 'video' }],
  ['video/x-m4v', { mediaType: 'video/mp4', kind: 'video' }],
  ['video/quicktime', { mediaType: 'video/quicktime', kind: 'video' }],
  ['video/webm', { mediaType: 'video/webm', kind: 'video' }],
  ['audio/mpeg', { mediaType: 'audio/mpeg', kind: 'audio' }],
  ['audio/x-m4a', { mediaType: 'audio/mp4', kind: 'audio' }],
  ['audio/mp4', { mediaType: 'audio/mp4', kind: 'audio' }],
]);

/**
 * What the file really is. `maxTextBytes` bounds the plain-text check: a larger file is
 * over every limit anyway (the caller refuses it as 'too-large'), so reading further is
 * pointless.
 */
export async function sniff(path: string, options: { maxTextBytes: number }): Promise<Sniffed> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size === 0) return { ok: false, reason: 'empty', mediaType: null, detail: 'zero bytes' };
    const found = await fileTypeFromFile(path);
    if (!found) {
      const text = await plainText(file, Math.min(size, options.maxTextBytes), size);
      return text === true
        ? { ok: true, mediaType: 'text/plain', kind: 'document' }
        : { ok: false, reason: 'type-not-allowed', mediaType: null, detail: text };
    }
    if (found.mime === 'application/x-cfb') {
      const office = await legacyOfficeType(file);
      return office
        ? { ok: true, mediaType: office, kind: 'document' }
        : {
            ok: false,
            reason: 'type-not-allowed',
            mediaType: found.mime,
            detail: 'CFB container that is not Word/Excel/PowerPoint',
          };
    }
    const allowed = ALLOWED.get(found.mime);
    return allowed
      ? { ok: true, ...allowed }
      : {
          ok: false,
          reason: 'type-not-allowed',
          mediaType: found.mime,
          detail: `detected ${found.ext}`,
        };
  } finally {
    await file.close();
  }
}

/**
 * Markup a browser or an opened download would run: refused even inside "text". A text
 * file starting with `<` (after a BOM and blanks) is refused as well: HTML, SVG and XML
 * all do, and file-type recognises none of them.
 */
const MARKUP = /<(script|html|svg|iframe|object|embed|body|!doctype|\?xml)\b/i;
const CHUNK = 64 * 1024;

/**
 * true when the first `limit` bytes are UTF-8 text with no NUL and no control character
 * but tab, LF, FF and CR, and no markup; else why not (for the logs). Read in bounded
 * chunks, never the whole file at once.
 */
async function plainText(
  file: Awaited<ReturnType<typeof open>>,
  limit: number,
  size: number,
): Promise<true | string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const buffer = Buffer.alloc(CHUNK);
  let position = 0;
  let tail = ''; // the end of the previous chunk, so that a tag split across chunks is seen
  let first = true;
  while (position < limit) {
    const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, limit - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let text: string;
    try {
      // A chunk boundary may fall inside a character: stream mode carries it over. The
      // last read flushes (unless we stopped early at `limit`, where a cut is expected).
      text = decoder.decode(buffer.subarray(0, bytesRead), { stream: !(position >= size) });
    } catch {
      return 'not UTF-8 text';
    }
    if (first) {
      if (/^\uFEFF?\s*</.test(text)) return 'markup (starts with <)';
      first = false;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
    if (/[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F]/.test(text))
      return 'binary or control characters';
    if (MARKUP.test(tail + text)) return 'markup inside text';
    tail = text.slice(-16);
  }
  return true;
}
