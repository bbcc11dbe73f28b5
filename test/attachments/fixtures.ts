import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, createDeflate } from 'node:zlib';
import sharp from 'sharp';
import { makeTextPdf } from '../../scripts/demo/files';

/**
 * Attachment fixtures, generated at test time into a directory the caller owns (no binary
 * fixtures in git). Each function writes one file and returns its path. Reused by the
 * pipeline, worker, server and browser tests, and by the demo data.
 */

/** The EICAR test string (68 bytes): every antivirus reports it; harmless. Built at run time. */
export const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`;

/** The one-line hash signature our private clamd loads (MD5:size:name of the EICAR file). */
export const EICAR_HDB = '44d88612fea8a8f36de82e1278abb02f:68:Eicar';

export async function eicar(dir: string, name = 'eicar.txt'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, EICAR, 'latin1');
  return path;
}

/** GPS coordinates written by makePhotoWithGps (Paris), to assert they are gone. */
export const PHOTO_GPS = {
  GPSLatitudeRef: 'N',
  GPSLatitude: '48/1 51/1 24/1',
  GPSLongitudeRef: 'E',
  GPSLongitude: '2/1 21/1 7/1',
};

/**
 * A camera-like JPEG, stored 640×480 with EXIF Orientation 6 (to be shown rotated 480×640),
 * a camera make/model and GPS coordinates.
 */
export async function makePhotoWithGps(dir: string, name = 'photo.jpg'): Promise<string> {
  const path = join(dir, name);
  await photo(640, 480)
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Acme', Model: 'WardCam 3' }, IFD3: PHOTO_GPS })
    .withMetadata({ orientation: 6 })
    .toFile(path);
  return path;
}

/** A plain PNG (no metadata) of the given size. */
export async function makePng(
  dir: string,
  width = 320,
  height = 200,
  name = 'image.png',
): Promise<string> {
  const path = join(dir, name);
  await photo(width, height).png().toFile(path);
  return path;
}

/** A two-frame animated GIF. */
export async function makeGif(dir: string, name = 'anim.gif'): Promise<string> {
  const path = join(dir, name);
  const frame = (background: string) =>
    sharp({ create: { width: 60, height: 40, channels: 3, background } })
      .raw()
      .toBuffer();
  const frames = Buffer.concat([await frame('#c00'), await frame('#00c')]);
  await sharp(frames, { raw: { width: 60, height: 80, channels: 3, pageHeight: 40 } })
    .gif({ delay: [200, 200], loop: 0 })
    .toFile(path);
  return path;
}

/** An HTML page with a script, under an image name: file-type finds nothing, it is markup. */
export async function makeHtmlAsJpeg(dir: string, name = 'image.jpg'): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    '<html><body><script>fetch("/api/me").then(r=>r.text()).then(alert)</script></body></html>\n',
  );
  return path;
}

/** The HTML tail appended to a real JPEG by makeJpegWithHtml (a polyglot). */
export const POLYGLOT_TAIL = '<html><script>alert(document.cookie)</script></html>';

/** A real JPEG with HTML appended after its end marker: file-type calls it a JPEG. */
export async function makeJpegWithHtml(dir: string, name = 'polyglot.jpg'): Promise<string> {
  const path = join(dir, name);
  const jpeg = await photo(200, 150).jpeg().toBuffer();
  await writeFile(path, Buffer.concat([jpeg, Buffer.from(POLYGLOT_TAIL)]));
  return path;
}

/** An SVG image carrying a script. */
export async function makeSvgWithScript(dir: string, name = 'drawing.svg'): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>\n',
  );
  return path;
}

/** A real ELF executable of this machine (/bin/true) named like a PDF. */
export async function makeExecutableAsPdf(dir: string, name = 'ordonnance.pdf'): Promise<string> {
  const path = join(dir, name);
  await copyFile('/bin/true', path);
  return path;
}

/** A minimal Windows PE ("MZ" DOS header pointing at a "PE\0\0" header) named like a PDF. */
export async function makePeAsPdf(dir: string, name = 'compte-rendu.pdf'): Promise<string> {
  const path = join(dir, name);
  const bytes = Buffer.alloc(512);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c); // e_lfanew: where the PE header starts
  bytes.write('PE\0\0', 0x80, 'latin1');
  bytes.writeUInt16LE(0x14c, 0x84); // machine: i386
  await writeFile(path, bytes);
  return path;
}

/**
 * A decompression bomb: a valid PNG declaring width × height pixels (default 50,000 ×
 * 50,000 = 2.5 Gpx), 1-bit greyscale, every row zero. About 300 KB on disk, streamed
 * through zlib row by row so that generating it needs little memory (~1 s).
 */
export async function makePngBomb(dir: string, side = 50_000, name = 'bomb.png'): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth 1
  ihdr[9] = 0; // greyscale
  out.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  out.write(chunk('IHDR', ihdr));
  // Each row: filter byte 0 then side/8 zero bytes. Rows are fed in batches to the deflater.
  const compressed: Buffer[] = [];
  const deflate = createDeflate({ level: 9 });
  deflate.on('data', (d: Buffer) => compressed.push(d));
  const rowBytes = 1 + Math.ceil(side / 8);
  const batchRows = Math.max(1, Math.floor((4 * 1024 * 1024) / rowBytes));
  const batch = Buffer.alloc(batchRows * rowBytes);
  for (let row = 0; row < side; row += batchRows) {
    const rows = Math.min(batchRows, side - row);
    if (!deflate.write(batch.subarray(0, rows * rowBytes))) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  out.write(chunk('IDAT', Buffer.concat(compressed)));
  out.write(chunk('IEND', Buffer.alloc(0)));
  out.end();
  await once(out, 'finish');
  return path;
}

/** The first half of a real JPEG (a partly-received or corrupt photo). */
export async function makeTruncatedJpeg(dir: string, name = 'truncated.jpg'): Promise<string> {
  const path = join(dir, name);
  const whole = await photo(400, 300).jpeg().toBuffer();
  await writeFile(path, whole.subarray(0, whole.length >> 1));
  return path;
}

export async function makeEmpty(dir: string, name = 'empty.bin'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, Buffer.alloc(0));
  return path;
}

/** UTF-8 text (accents, CRLF, a tab) as a clinician would paste it. */
export async function makeText(dir: string, name = 'notes.txt'): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    '\uFEFFTransmissions 14 h\r\n\tPansement refait, plaie propre.\r\nÀ revoir demain — Dr Léa Martin\n',
  );
  return path;
}

/** A valid one-page PDF of one line of text (the demo's hand-written PDF writer). */
export async function makePdf(
  dir: string,
  name = 'compte-rendu.pdf',
  text = 'Compte rendu',
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, makeTextPdf([{ text, size: 36 }], text));
  return path;
}

/** "%PDF-" followed by garbage: file-type says PDF, no reader can render it. */
export async function makeBrokenPdf(dir: string, name = 'broken.pdf'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `%PDF-1.7\n${'garbage '.repeat(200)}\n`);
  return path;
}

/** Metadata makeMp4 / makeMp3 write, to assert it is gone after processing. */
export const MEDIA_SECRET = { title: 'secret-patient-name', location: '+48.8566+002.3522/' };

/**
 * A one-second 320×240 H.264 + AAC MP4 made by ffmpeg (testsrc), with a title, a GPS
 * location (ISO 6709) and a per-stream title: all three must be gone after processing.
 */
export async function makeMp4(dir: string, ffmpeg = 'ffmpeg', name = 'clip.mp4'): Promise<string> {
  const path = join(dir, name);
  await run(ffmpeg, [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
    ...[
      '-metadata',
      `title=${MEDIA_SECRET.title}`,
      '-metadata',
      `location=${MEDIA_SECRET.location}`,
    ],
    ...['-metadata:s:v:0', `title=${MEDIA_SECRET.title}`],
    path,
  ]);
  return path;
}

/** A one-second VP8 WebM with a title. */
export async function makeWebm(
  dir: string,
  ffmpeg = 'ffmpeg',
  name = 'clip.webm',
): Promise<string> {
  const path = join(dir, name);
  await run(ffmpeg, [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10'],
    ...['-c:v', 'libvpx', '-b:v', '200k', '-metadata', `title=${MEDIA_SECRET.title}`],
    path,
  ]);
  return path;
}

/** A one-second MP3 with an ID3 title. */
export async function makeMp3(dir: string, ffmpeg = 'ffmpeg', name = 'voice.mp3'): Promise<string> {
  const path = join(dir, name);
  await run(ffmpeg, [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'],
    ...['-c:a', 'libmp3lame', '-metadata', `title=${MEDIA_SECRET.title}`],
    path,
  ]);
  return path;
}

/** The first 4 KB of a real MP4: file-type still says MP4, ffmpeg cannot play it. */
export async function makeTruncatedMp4(
  dir: string,
  ffmpeg = 'ffmpeg',
  name = 'cut.mp4',
): Promise<string> {
  const whole = await makeMp4(dir, ffmpeg, `whole-${name}`);
  const path = join(dir, name);
  await writeFile(path, (await readFile(whole)).subarray(0, 4096));
  return path;
}

/** Whether an EXIF block (sharp's `metadata().exif`) has a GPS IFD (tag 0x8825 in IFD0). */
export function exifHasGps(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1').startsWith('Exif') ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd0 = u32(4);
  const count = u16(ifd0);
  for (let i = 0; i < count; i++) if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  return false;
}

/** A noisy image, so that JPEGs look like photos (and are not trivially small). */
function photo(width: number, height: number) {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

/**
 * A minimal legacy Office file: a Compound File Binary container (512-byte sectors, one
 * FAT sector, one directory sector) whose directory holds one stream, by default
 * `WordDocument` (a .doc). With another name (e.g. an MSI's) it is no Office file.
 */
export async function makeLegacyOffice(
  dir: string,
  stream = 'WordDocument',
  name = 'lettre.doc',
): Promise<string> {
  const path = join(dir, name);
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x3e, 0x18); // minor version
  header.writeUInt16LE(3, 0x1a); // major version 3: 512-byte sectors
  header.writeUInt16LE(0xfffe, 0x1c); // byte order
  header.writeUInt16LE(9, 0x1e); // sector shift
  header.writeUInt16LE(6, 0x20); // mini sector shift
  header.writeUInt32LE(1, 0x2c); // one FAT sector
  header.writeUInt32LE(1, 0x30); // directory starts at sector 1
  header.writeUInt32LE(4096, 0x38); // mini stream cutoff
  header.writeUInt32LE(0xfffffffe, 0x3c); // no mini FAT
  header.writeUInt32LE(0xfffffffe, 0x44); // no DIFAT sectors
  header.fill(0xff, 0x4c);
  header.writeUInt32LE(0, 0x4c); // the FAT is sector 0
  const fat = Buffer.alloc(512, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0); // sector 0: FAT
  fat.writeUInt32LE(0xfffffffe, 4); // sector 1: directory, end of chain
  const directory = Buffer.alloc(512);
  const entry = (index: number, entryName: string, type: number) => {
    const at = index * 128;
    directory.write(entryName, at, 'utf16le');
    directory.writeUInt16LE((entryName.length + 1) * 2, at + 0x40);
    directory[at + 0x42] = type;
    directory.writeUInt32LE(0xffffffff, at + 0x44); // left sibling
    directory.writeUInt32LE(0xffffffff, at + 0x48); // right sibling
    directory.writeUInt32LE(0xffffffff, at + 0x4c); // child
    directory.writeUInt32LE(0xfffffffe, at + 0x74); // start sector
  };
  entry(0, 'Root Entry', 5);
  directory.writeUInt32LE(1, 0x4c); // root's child: entry 1
  entry(1, stream, 2);
  await writeFile(path, Buffer.concat([header, fat, directory]));
  return path;
}

/**
 * A minimal .docx: a ZIP (stored, no compression) with `[Content_Types].xml`, which is
 * what file-type reads to tell Word from Excel or PowerPoint.
 */
export async function makeDocx(dir: string, name = 'courrier.docx'): Promise<string> {
  const path = join(dir, name);
  const word = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
  await writeFile(
    path,
    storedZip([
      [
        '[Content_Types].xml',
        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="${word}"/></Types>`,
      ],
      [
        'word/document.xml',
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
      ],
    ]),
  );
  return path;
}

function storedZip(files: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [fileName, text] of files) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(fileName);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDirectory, end]);
}

/**
 * A HEIF image labelled `heic` (what file-type calls image/heic). sharp's prebuilt libheif
 * decodes only AV1 payloads, so: `av1` makes a HEIC sharp can decode (an AVIF relabelled),
 * `hevc` one whose payload claims to be HEVC like a camera's, which it cannot. Neither is
 * a real camera file (nothing here can encode HEVC into HEIF); the `hevc` one fails in
 * libheif like a real one would (no decoder / unexpected data).
 */
export async function makeHeic(
  dir: string,
  codec: 'av1' | 'hevc',
  name = `photo-${codec}.heic`,
): Promise<string> {
  const path = join(dir, name);
  const avif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a6' } })
    .avif()
    .toBuffer();
  let latin1 = avif.toString('latin1');
  latin1 = `${latin1.slice(0, 8)}heic${latin1.slice(12)}`; // major brand
  if (codec === 'hevc')
    latin1 = latin1
      .replaceAll('av01', 'hvc1')
      .replaceAll('av1C', 'hvcC')
      .replaceAll('avif', 'heic');
  await writeFile(path, Buffer.from(latin1, 'latin1'));
  return path;
}

/** A one-second QuickTime .mov (brand `qt  `), as an iPhone records, with a title. */
export async function makeMov(dir: string, ffmpeg = 'ffmpeg', name = 'clip.mov'): Promise<string> {
  const path = join(dir, name);
  await run(ffmpeg, [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-metadata', `title=${MEDIA_SECRET.title}`],
    ...['-f', 'mov', path],
  ]);
  return path;
}

/**
 * One second of AAC sound: `m4a` has the iTunes `M4A ` brand (file-type: audio/x-m4a);
 * `mp4` the generic `isom` brand, which file-type calls video/mp4 (a voice memo saved
 * as .mp4).
 */
export async function makeAac(
  dir: string,
  ffmpeg = 'ffmpeg',
  container: 'm4a' | 'mp4' = 'm4a',
): Promise<string> {
  const path = join(dir, `voice-${container}.${container}`);
  await run(ffmpeg, [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'],
    ...['-c:a', 'aac', '-metadata', `title=${MEDIA_SECRET.title}`],
    ...['-f', container === 'm4a' ? 'ipod' : 'mp4', path],
  ]);
  return path;
}
