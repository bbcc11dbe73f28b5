import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClamdScanner } from '../../domain/attachments/examine/clamav';
import { type RunningClamd, startClamd } from '../../domain/attachments/examine/clamd-process';
import { examineFile, findTool } from '../../domain/attachments/examine/index';
import { runTool } from '../../domain/attachments/examine/run';
import {
  type Examined,
  type ExamineOptions,
  ScannerUnavailableError,
} from '../../domain/attachments/examine/types';
import * as fixtures from './fixtures';

/**
 * The examine pipeline on real tools: clamd (private, EICAR database), sharp, ffmpeg,
 * pdftoppm. Each bad input of issue 11 gets its verdict; each good one what a user would
 * notice (no GPS left, no HTML tail, a thumbnail of at most 480 px).
 */
const ffmpeg = findTool('ffmpeg');
const pdftoppm = findTool('pdftoppm');
const MB = 1024 * 1024;

let root: string;
let inputs: string;
let clamd: RunningClamd;
let options: (overrides?: Partial<ExamineOptions>) => Promise<ExamineOptions>;

beforeAll(async () => {
  expect(ffmpeg, 'ffmpeg must be installed (apt-get install ffmpeg)').not.toBeNull();
  expect(pdftoppm, 'pdftoppm must be installed (apt-get install poppler-utils)').not.toBeNull();
  root = await mkdtemp(join(tmpdir(), 'relais-examine-'));
  inputs = join(root, 'inputs');
  await mkdir(inputs);
  clamd = await startClamd({ dir: join(root, 'clamd') });
  const scanner = createClamdScanner(clamd.url, { timeoutMs: 5000 });
  let n = 0;
  options = async (overrides = {}) => {
    const workDir = join(root, `work-${++n}`);
    await mkdir(workDir);
    return {
      workDir,
      scanner,
      tools: { ffmpeg, pdftoppm },
      limits: { maxBytes: 2 * MB, videoMaxBytes: 5 * MB, maxPixels: 40_000_000 },
      ...overrides,
    };
  };
});

afterAll(async () => {
  await clamd?.stop();
  await rm(root, { recursive: true, force: true });
});

function ready(result: Examined) {
  if (result.outcome !== 'ready') throw new Error(`expected ready, got ${JSON.stringify(result)}`);
  return result;
}

async function thumbnailFits(path: string | null) {
  expect(path).not.toBeNull();
  const meta = await sharp(path!).metadata();
  expect(meta.format).toBe('webp');
  expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(480);
  return meta;
}

async function ffprobeTags(path: string): Promise<string> {
  const result = await runTool(
    `${ffmpeg!.replace(/ffmpeg$/, 'ffprobe')}`,
    [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-show_chapters',
      path,
    ],
    10_000,
  );
  expect(result.ok).toBe(true);
  return result.stdout;
}

describe('examineFile: images', () => {
  it('a camera photo loses its GPS and EXIF, is shown upright, and gets a thumbnail', async () => {
    const input = await fixtures.makePhotoWithGps(inputs);
    const before = await sharp(input).metadata();
    expect(fixtures.exifHasGps(before.exif)).toBe(true);
    expect(before.orientation).toBe(6);

    const result = ready(await examineFile(input, await options()));
    expect(result).toMatchObject({
      mediaType: 'image/jpeg',
      kind: 'image',
      servedType: 'image/jpeg',
      scanned: true,
    });
    // Stored 640×480 with "rotate 90°": served 480×640, already upright.
    expect([result.width, result.height]).toEqual([480, 640]);
    const after = await sharp(result.servedPath).metadata();
    expect(after.exif).toBeUndefined();
    expect(fixtures.exifHasGps(after.exif)).toBe(false);
    expect(after.orientation).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect((await readFile(result.servedPath)).includes('Acme')).toBe(false);
    const thumb = await thumbnailFits(result.thumbnailPath);
    expect([thumb.width, thumb.height]).toEqual([360, 480]);
  });

  it('a JPEG with HTML appended (polyglot) is served re-encoded, without the HTML', async () => {
    const input = await fixtures.makeJpegWithHtml(inputs);
    expect((await readFile(input)).includes(fixtures.POLYGLOT_TAIL)).toBe(true);
    const result = ready(await examineFile(input, await options()));
    expect(result.servedPath).not.toBe(input);
    const served = await readFile(result.servedPath);
    expect(served.includes('<html')).toBe(false);
    expect(served.includes('<script')).toBe(false);
    expect(served.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9])); // ends at the JPEG end marker
  });

  it('PNG, GIF (animation kept) are re-encoded in their own format', async () => {
    const png = ready(
      await examineFile(await fixtures.makePng(inputs, 1000, 600), await options()),
    );
    expect(png).toMatchObject({ servedType: 'image/png', width: 1000, height: 600 });
    const thumb = await thumbnailFits(png.thumbnailPath);
    expect([thumb.width, thumb.height]).toEqual([480, 288]);

    const gif = ready(await examineFile(await fixtures.makeGif(inputs), await options()));
    expect(gif).toMatchObject({ servedType: 'image/gif', width: 60, height: 40 });
    expect((await sharp(gif.servedPath).metadata()).pages).toBe(2);
    // Small images are not enlarged.
    expect((await thumbnailFits(gif.thumbnailPath)).width).toBe(60);
  });

  it('a 50,000 × 50,000 PNG bomb is refused fast, from its header alone', async () => {
    const input = await fixtures.makePngBomb(inputs);
    expect((await stat(input)).size).toBeLessThan(1 * MB);
    const t0 = Date.now();
    const rssBefore = process.memoryUsage().rss;
    const result = await examineFile(input, await options());
    expect(result).toMatchObject({
      outcome: 'rejected',
      reason: 'image-too-large',
      mediaType: 'image/png',
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * MB);
  });

  it('a HEIC sharp can decode is served as JPEG; one it cannot (HEVC) is unreadable', async () => {
    const decodable = ready(
      await examineFile(await fixtures.makeHeic(inputs, 'av1'), await options()),
    );
    expect(decodable).toMatchObject({
      mediaType: 'image/heic',
      servedType: 'image/jpeg',
      width: 64,
      height: 48,
    });
    expect((await sharp(decodable.servedPath).metadata()).format).toBe('jpeg');
    expect(
      await examineFile(await fixtures.makeHeic(inputs, 'hevc'), await options()),
    ).toMatchObject({
      outcome: 'rejected',
      reason: 'unreadable',
      mediaType: 'image/heic',
    });
  });

  it('a truncated JPEG is unreadable', async () => {
    const result = await examineFile(await fixtures.makeTruncatedJpeg(inputs), await options());
    expect(result).toMatchObject({
      outcome: 'rejected',
      reason: 'unreadable',
      mediaType: 'image/jpeg',
    });
  });
});

describe('examineFile: refused types', () => {
  it('zero bytes is empty', async () => {
    expect(await examineFile(await fixtures.makeEmpty(inputs), await options())).toMatchObject({
      outcome: 'rejected',
      reason: 'empty',
    });
  });

  it('an HTML page named image.jpg is not allowed', async () => {
    expect(await examineFile(await fixtures.makeHtmlAsJpeg(inputs), await options())).toMatchObject(
      {
        outcome: 'rejected',
        reason: 'type-not-allowed',
      },
    );
  });

  it('an SVG with a script is not allowed', async () => {
    expect(
      await examineFile(await fixtures.makeSvgWithScript(inputs), await options()),
    ).toMatchObject({
      outcome: 'rejected',
      reason: 'type-not-allowed',
    });
  });

  it('executables named .pdf (ELF, Windows PE) are not allowed', async () => {
    expect(
      await examineFile(await fixtures.makeExecutableAsPdf(inputs), await options()),
    ).toMatchObject({
      outcome: 'rejected',
      reason: 'type-not-allowed',
      mediaType: 'application/x-elf',
    });
    expect(await examineFile(await fixtures.makePeAsPdf(inputs), await options())).toMatchObject({
      outcome: 'rejected',
      reason: 'type-not-allowed',
      mediaType: 'application/x-msdownload',
    });
  });

  it('binary or non-UTF-8 "text", and text hiding markup, are not allowed', async () => {
    const cases: [string, Buffer | string][] = [
      ['nul.txt', Buffer.from('hello\0world\n')],
      ['latin1.txt', Buffer.from('caf\xe9\n', 'latin1')],
      ['escape.txt', 'colour \x1b[31m red\n'],
      ['hidden.txt', `${'note '.repeat(20000)}<script>alert(1)</script>\n`],
    ];
    for (const [name, content] of cases) {
      const path = join(inputs, name);
      await writeFile(path, content);
      expect(await examineFile(path, await options()), name).toMatchObject({
        outcome: 'rejected',
        reason: 'type-not-allowed',
      });
    }
  });

  it('a CFB container that is not Word/Excel/PowerPoint (an installer) is not allowed', async () => {
    const msi = await fixtures.makeLegacyOffice(inputs, 'SummaryInformation', 'setup.doc');
    expect(await examineFile(msi, await options())).toMatchObject({
      outcome: 'rejected',
      reason: 'type-not-allowed',
      mediaType: 'application/x-cfb',
    });
  });

  it('over the limit for its real type is too large (videos have their own limit)', async () => {
    const text = join(inputs, 'long.txt');
    await writeFile(text, 'a'.repeat(3 * MB));
    expect(await examineFile(text, await options())).toMatchObject({
      outcome: 'rejected',
      reason: 'too-large',
    });
    const video = await fixtures.makeMp4(inputs, ffmpeg!);
    expect(
      ready(
        await examineFile(
          video,
          await options({ limits: { maxBytes: 10, videoMaxBytes: 5 * MB, maxPixels: 1e6 } }),
        ),
      ).kind,
    ).toBe('video');
    expect(
      await examineFile(
        video,
        await options({ limits: { maxBytes: 5 * MB, videoMaxBytes: 10, maxPixels: 1e6 } }),
      ),
    ).toMatchObject({
      outcome: 'rejected',
      reason: 'too-large',
      mediaType: 'video/mp4',
    });
  });
});

describe('examineFile: antivirus', () => {
  it('the EICAR test file is infected, its signature kept for the logs', async () => {
    const result = await examineFile(await fixtures.eicar(inputs), await options());
    expect(result).toMatchObject({ outcome: 'infected', reason: 'malware', scanned: true });
    expect(result.outcome === 'infected' && result.detail).toMatch(/Eicar/);
  });

  it('without a scanner (development) files are ready but marked not scanned', async () => {
    const result = ready(
      await examineFile(await fixtures.makeText(inputs), await options({ scanner: null })),
    );
    expect(result.scanned).toBe(false);
  });

  it('with clamd stopped a clean file is never reported ready: the job retries', async () => {
    const photo = await fixtures.makePhotoWithGps(inputs, 'retry.jpg');
    await clamd.stop();
    try {
      await expect(examineFile(photo, await options())).rejects.toBeInstanceOf(
        ScannerUnavailableError,
      );
    } finally {
      await clamd.start();
    }
    expect(ready(await examineFile(photo, await options())).scanned).toBe(true);
  });
});

describe('examineFile: documents', () => {
  it('a PDF is served as is, with a first-page thumbnail', async () => {
    const input = await fixtures.makePdf(inputs);
    const result = ready(await examineFile(input, await options()));
    expect(result).toMatchObject({
      mediaType: 'application/pdf',
      kind: 'document',
      servedType: 'application/pdf',
    });
    expect(await readFile(result.servedPath)).toEqual(await readFile(input));
    const thumb = await thumbnailFits(result.thumbnailPath);
    expect(thumb.height).toBe(480); // A4 portrait: the longer side is 480
  });

  it('a PDF whose first page cannot be rendered is unreadable', async () => {
    expect(await examineFile(await fixtures.makeBrokenPdf(inputs), await options())).toMatchObject({
      outcome: 'rejected',
      reason: 'unreadable',
      mediaType: 'application/pdf',
    });
  });

  it('without pdftoppm a PDF is ready with no thumbnail', async () => {
    const result = ready(
      await examineFile(
        await fixtures.makePdf(inputs, 'b.pdf'),
        await options({ tools: { ffmpeg, pdftoppm: null } }),
      ),
    );
    expect(result.thumbnailPath).toBeNull();
  });

  it('UTF-8 text, .docx and legacy .doc/.xls are served as is, no thumbnail', async () => {
    const expected: [string, string][] = [
      [await fixtures.makeText(inputs), 'text/plain'],
      [
        await fixtures.makeDocx(inputs),
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ],
      [await fixtures.makeLegacyOffice(inputs), 'application/msword'],
      [
        await fixtures.makeLegacyOffice(inputs, 'Workbook', 'tableau.xls'),
        'application/vnd.ms-excel',
      ],
    ];
    for (const [path, type] of expected) {
      const result = ready(await examineFile(path, await options()));
      expect(result).toMatchObject({
        kind: 'document',
        mediaType: type,
        servedType: type,
        servedPath: path,
        thumbnailPath: null,
      });
    }
  });
});

describe('examineFile: video and audio', () => {
  it('an MP4 loses its title and GPS location, keeps its pictures, and gets a poster', async () => {
    const input = await fixtures.makeMp4(inputs, ffmpeg!, 'visit.mp4');
    const tagsBefore = await ffprobeTags(input);
    expect(tagsBefore).toContain(fixtures.MEDIA_SECRET.title);
    expect(tagsBefore).toContain('+48.8566');

    const result = ready(await examineFile(input, await options()));
    expect(result).toMatchObject({
      mediaType: 'video/mp4',
      kind: 'video',
      servedType: 'video/mp4',
      width: 320,
      height: 240,
    });
    expect(result.durationSeconds).toBeGreaterThan(0.8);
    expect(result.durationSeconds).toBeLessThan(1.3);
    const tagsAfter = await ffprobeTags(result.servedPath);
    expect(tagsAfter).not.toContain(fixtures.MEDIA_SECRET.title);
    expect(tagsAfter).not.toContain('+48.8566');
    expect(tagsAfter).toContain('"codec_name": "h264"'); // copied, not re-encoded
    const bytes = await readFile(result.servedPath);
    expect(bytes.includes(fixtures.MEDIA_SECRET.title)).toBe(false);
    // faststart: the index (moov) comes before the data (mdat), so playback starts at once.
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    const thumb = await thumbnailFits(result.thumbnailPath);
    expect([thumb.width, thumb.height]).toEqual([320, 240]);
  });

  it('a WebM stays WebM without its title', async () => {
    const result = ready(
      await examineFile(await fixtures.makeWebm(inputs, ffmpeg!), await options()),
    );
    expect(result).toMatchObject({ servedType: 'video/webm', width: 320, height: 240 });
    expect(await ffprobeTags(result.servedPath)).not.toContain(fixtures.MEDIA_SECRET.title);
    await thumbnailFits(result.thumbnailPath);
  });

  it('an MP3 loses its ID3 title and has no thumbnail', async () => {
    const result = ready(
      await examineFile(await fixtures.makeMp3(inputs, ffmpeg!), await options()),
    );
    expect(result).toMatchObject({
      kind: 'audio',
      servedType: 'audio/mpeg',
      thumbnailPath: null,
      width: null,
    });
    expect((await readFile(result.servedPath)).includes(fixtures.MEDIA_SECRET.title)).toBe(false);
  });

  it('a QuickTime .mov stays .mov; M4A and a sound-only MP4 are audio', async () => {
    const mov = ready(await examineFile(await fixtures.makeMov(inputs, ffmpeg!), await options()));
    expect(mov).toMatchObject({
      mediaType: 'video/quicktime',
      servedType: 'video/quicktime',
      width: 320,
    });
    expect(await ffprobeTags(mov.servedPath)).not.toContain(fixtures.MEDIA_SECRET.title);
    await thumbnailFits(mov.thumbnailPath);
    const m4a = ready(
      await examineFile(await fixtures.makeAac(inputs, ffmpeg!, 'm4a'), await options()),
    );
    expect(m4a).toMatchObject({
      kind: 'audio',
      mediaType: 'audio/mp4',
      servedType: 'audio/mp4',
      thumbnailPath: null,
    });
    expect(await ffprobeTags(m4a.servedPath)).not.toContain(fixtures.MEDIA_SECRET.title);
    const memo = ready(
      await examineFile(await fixtures.makeAac(inputs, ffmpeg!, 'mp4'), await options()),
    );
    expect(memo).toMatchObject({
      kind: 'audio',
      mediaType: 'audio/mp4',
      servedType: 'audio/mp4',
      thumbnailPath: null,
    });
  });

  it('a video ffmpeg cannot read is unreadable', async () => {
    expect(
      await examineFile(await fixtures.makeTruncatedMp4(inputs, ffmpeg!), await options()),
    ).toMatchObject({
      outcome: 'rejected',
      reason: 'unreadable',
      mediaType: 'video/mp4',
    });
  });

  it('without ffmpeg a video is served unchanged, with no poster', async () => {
    const input = await fixtures.makeMp4(inputs, ffmpeg!, 'raw.mp4');
    const result = ready(
      await examineFile(input, await options({ tools: { ffmpeg: null, pdftoppm } })),
    );
    expect(result).toMatchObject({
      servedPath: input,
      servedType: 'video/mp4',
      thumbnailPath: null,
    });
  });
});
