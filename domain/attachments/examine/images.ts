import { join } from 'node:path';
import sharp from 'sharp';
import { isEnvironmentError, message, type Transformed } from './transformed';

export const THUMBNAIL_SIZE = 480;

// Every image is seen once: libvips's operation cache (50 MB by default) only holds
// memory in a process that also serves the API (npm start runs both).
sharp.cache(false);

/** What we serve for each allowed image type; HEIC becomes JPEG (browsers cannot show HEIC). */
const OUTPUT: Record<string, { decoder: string; type: string; ext: string }> = {
  'image/jpeg': { decoder: 'jpeg', type: 'image/jpeg', ext: 'jpg' },
  'image/png': { decoder: 'png', type: 'image/png', ext: 'png' },
  'image/webp': { decoder: 'webp', type: 'image/webp', ext: 'webp' },
  'image/gif': { decoder: 'gif', type: 'image/gif', ext: 'gif' },
  'image/heic': { decoder: 'heif', type: 'image/jpeg', ext: 'jpg' },
  'image/heif': { decoder: 'heif', type: 'image/jpeg', ext: 'jpg' },
};

/**
 * Re-encodes an image, so that what is served is only pixels: orientation applied, no
 * EXIF/GPS/XMP/IPTC/ICC (sharp writes none without withMetadata, and converts to sRGB), and
 * nothing after the image data (a polyglot's HTML tail is gone). Plus a WebP thumbnail.
 */
export async function processImage(
  input: string,
  mediaType: string,
  workDir: string,
  maxPixels: number,
): Promise<Transformed> {
  const output = OUTPUT[mediaType];
  if (!output)
    return { ok: false, reason: 'unreadable', detail: `no image output for ${mediaType}` };
  try {
    // Header only: the pixel count is known before anything is decoded, so a 2.5 Gpx bomb
    // is refused in milliseconds (7 ms measured) with no memory to speak of. sharp's own
    // limit is off for this header read so that we can tell "too large" from "corrupt".
    const meta = await sharp(input, { limitInputPixels: false }).metadata();
    if (meta.format !== output.decoder) {
      return {
        ok: false,
        reason: 'unreadable',
        detail: `sharp reads ${meta.format}, expected ${output.decoder}`,
      };
    }
    const frames = meta.pages ?? 1;
    const frameHeight = meta.pageHeight ?? meta.height;
    const pixels = meta.width * frameHeight * frames; // every frame of an animation is decoded
    if (!(pixels > 0) || pixels > maxPixels) {
      return {
        ok: false,
        reason: 'image-too-large',
        detail: `${meta.width}×${frameHeight}×${frames} px`,
      };
    }
    const animated = frames > 1 && (output.decoder === 'gif' || output.decoder === 'webp');
    const servedPath = join(workDir, `served.${output.ext}`);
    // failOn 'error': a truncated or corrupt image is refused, where the default 'none'
    // of some tools would serve a half-grey picture. limitInputPixels backs up our check.
    let pipeline = sharp(input, {
      limitInputPixels: maxPixels,
      failOn: 'error',
      animated,
    }).rotate();
    if (output.type === 'image/jpeg') {
      // Not `mozjpeg: true`: its trellis quantisation tripled the time on a 12 Mpx photo
      // (3.9 s vs 0.9 s here, 1 libvips thread) for 15 % fewer bytes. mozjpeg's
      // quantisation table alone keeps most of the saving (1.3 MB vs 1.7 MB default).
      pipeline = pipeline.jpeg({ quality: 85, quantisationTable: 3 });
    } else if (output.type === 'image/png') pipeline = pipeline.png();
    else if (output.type === 'image/webp') pipeline = pipeline.webp({ quality: 85 });
    else pipeline = pipeline.gif();
    await pipeline.toFile(servedPath);

    const served = await sharp(servedPath).metadata();
    const thumbnailPath = join(workDir, 'thumbnail.webp');
    await thumbnail(servedPath, thumbnailPath);
    return {
      ok: true,
      servedPath,
      servedType: output.type,
      thumbnailPath,
      width: served.width,
      height: served.pageHeight ?? served.height,
      durationSeconds: null,
    };
  } catch (error) {
    if (isEnvironmentError(error)) throw error;
    return { ok: false, reason: 'unreadable', detail: message(error) };
  }
}

/** A WebP fitting 480×480 (first frame of an animation), never enlarged. */
export async function thumbnail(input: string, output: string): Promise<void> {
  await sharp(input, { failOn: 'error' })
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toFile(output);
}
