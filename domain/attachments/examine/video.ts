import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { thumbnail } from './images';
import { runTool } from './run';
import { findTool } from './tools';
import { isEnvironmentError, message, type Transformed } from './transformed';

/**
 * Per served type: ffmpeg's demuxer (forced, so that ffmpeg never re-guesses the format of
 * a file we already identified, e.g. as a playlist fetching URLs) and muxer.
 */
const FORMATS: Record<string, { demuxer: string; muxer: string; ext: string; faststart: boolean }> =
  {
    'video/mp4': { demuxer: 'mov', muxer: 'mp4', ext: 'mp4', faststart: true },
    'video/quicktime': { demuxer: 'mov', muxer: 'mov', ext: 'mov', faststart: true },
    'video/webm': { demuxer: 'matroska', muxer: 'webm', ext: 'webm', faststart: false },
    'audio/mpeg': { demuxer: 'mp3', muxer: 'mp3', ext: 'mp3', faststart: false },
    'audio/mp4': { demuxer: 'mov', muxer: 'mp4', ext: 'm4a', faststart: true },
  };

const COMMON = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'];
/** Inputs are local files only: no network, no other protocol a crafted file could name. */
const INPUT = ['-protocol_whitelist', 'file'];
/** No "encoder: Lavf…" tags either. */
const BITEXACT = ['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];

export interface MediaOptions {
  ffmpeg: string | null;
  workDir: string;
  /** Per ffmpeg/ffprobe run; a remux copies, it does not re-encode: fast. */
  timeoutMs?: number;
}

/**
 * Videos and audio: metadata stripped by remuxing without re-encoding (title, GPS location,
 * chapters; only the video and audio streams are kept: data streams can carry GPS tracks,
 * e.g. GoPro GPMF or phones' timed metadata), `+faststart` so that playback starts before
 * the whole file is downloaded, a poster frame as WebP thumbnail for videos.
 *
 * Without ffmpeg (development machine without it): the original bytes are served
 * unchanged, with no poster and no dimensions; the lead's `npm start` says how to install it.
 */
export async function processMedia(
  input: string,
  mediaType: string,
  options: MediaOptions,
): Promise<Transformed> {
  const format = FORMATS[mediaType];
  if (!format)
    return { ok: false, reason: 'unreadable', detail: `no media output for ${mediaType}` };
  const none = { thumbnailPath: null, width: null, height: null, durationSeconds: null };
  if (!options.ffmpeg) return { ok: true, servedPath: input, servedType: mediaType, ...none };
  const timeoutMs = options.timeoutMs ?? 120_000;

  const probed = await probe(
    input,
    format.demuxer,
    mediaType.startsWith('video/'),
    options.ffmpeg,
    timeoutMs,
  );
  if (!probed.ok) return { ok: false, reason: 'unreadable', detail: probed.detail };
  if (!probed.hasVideo && !probed.hasAudio)
    return { ok: false, reason: 'unreadable', detail: 'no audio or video stream' };
  // An MP4 holding only sound (a voice memo with an "isom" brand) is audio.
  const audioOnly = !probed.hasVideo;
  const servedType = audioOnly && format.demuxer === 'mov' ? 'audio/mp4' : mediaType;
  const out = FORMATS[servedType]!;

  const servedPath = join(options.workDir, `served.${out.ext}`);
  const maps = audioOnly ? ['-map', '0:a'] : ['-map', '0:v', '-map', '0:a?'];
  const remux = await runTool(
    options.ffmpeg,
    [
      ...COMMON,
      ...INPUT,
      ...['-f', format.demuxer, '-i', input],
      ...maps,
      ...['-map_metadata', '-1', '-map_metadata:s', '-1', '-map_chapters', '-1', '-c', 'copy'],
      ...BITEXACT,
      ...(out.faststart ? ['-movflags', '+faststart'] : []),
      ...['-f', out.muxer, servedPath],
    ],
    timeoutMs,
  );
  if (!remux.ok) {
    await rm(servedPath, { force: true });
    return {
      ok: false,
      reason: 'unreadable',
      detail: `ffmpeg remux: ${remux.timedOut ? 'timeout' : remux.stderr}`,
    };
  }

  const thumbnailPath = audioOnly
    ? null
    : await poster(
        servedPath,
        out.demuxer,
        probed.duration,
        options.ffmpeg,
        options.workDir,
        timeoutMs,
      );
  return {
    ok: true,
    servedPath,
    servedType,
    thumbnailPath,
    width: audioOnly ? null : probed.width,
    height: audioOnly ? null : probed.height,
    durationSeconds: probed.duration,
    ...(servedType !== mediaType ? { kind: 'audio' as const, mediaType: servedType } : {}),
  };
}

type Probe =
  | {
      ok: true;
      hasVideo: boolean;
      hasAudio: boolean;
      width: number | null;
      height: number | null;
      duration: number | null;
    }
  | { ok: false; detail: string };

interface ProbeStream {
  codec_type?: string;
  width?: number;
  height?: number;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
  tags?: { rotate?: string };
}

/** Streams, displayed dimensions and duration, from ffprobe's JSON (Debian ships it with ffmpeg). */
async function probe(
  input: string,
  demuxer: string,
  expectVideo: boolean,
  ffmpeg: string,
  timeoutMs: number,
): Promise<Probe> {
  const sibling = join(dirname(ffmpeg), 'ffprobe');
  const ffprobe = existsSync(sibling) ? sibling : findTool('ffprobe');
  // Debian's ffmpeg package always has ffprobe; a hand-installed ffmpeg may not: the remux
  // still checks the file, we only lose the dimensions and the duration.
  if (!ffprobe) {
    return {
      ok: true,
      hasVideo: expectVideo,
      hasAudio: !expectVideo,
      width: null,
      height: null,
      duration: null,
    };
  }
  const result = await runTool(
    ffprobe,
    [
      '-v',
      'error',
      ...INPUT,
      '-f',
      demuxer,
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      input,
    ],
    timeoutMs,
  );
  if (!result.ok)
    return { ok: false, detail: `ffprobe: ${result.timedOut ? 'timeout' : result.stderr}` };
  let parsed: { streams?: ProbeStream[]; format?: { duration?: string } };
  try {
    parsed = JSON.parse(result.stdout);
  } catch (error) {
    return { ok: false, detail: `ffprobe output: ${message(error)}` };
  }
  const streams = parsed.streams ?? [];
  // Cover art in an MP3 or M4A shows up as a video stream marked attached_pic: not a video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const rotation = Math.abs(
    Number(
      video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ??
        video?.tags?.rotate ??
        0,
    ),
  );
  const sideways = rotation === 90 || rotation === 270;
  const duration = Number(parsed.format?.duration);
  return {
    ok: true,
    hasVideo: !!video,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    width: (sideways ? video?.height : video?.width) ?? null,
    height: (sideways ? video?.width : video?.height) ?? null,
    duration: Number.isFinite(duration) && duration >= 0 ? Math.round(duration * 100) / 100 : null,
  };
}

/**
 * A frame half a second in (the very first is often black), or the first one for a shorter
 * clip, as a WebP thumbnail. A video whose frame cannot be extracted is still served, with
 * no poster: ffmpeg already read it whole when remuxing.
 */
async function poster(
  video: string,
  demuxer: string,
  duration: number | null,
  ffmpeg: string,
  workDir: string,
  timeoutMs: number,
): Promise<string | null> {
  const png = join(workDir, 'poster.png');
  const thumbnailPath = join(workDir, 'thumbnail.webp');
  for (const at of duration !== null && duration >= 1 ? ['0.5', '0'] : ['0']) {
    const result = await runTool(
      ffmpeg,
      [
        ...COMMON,
        '-ss',
        at,
        ...INPUT,
        '-f',
        demuxer,
        '-i',
        video,
        '-map',
        '0:v:0',
        '-frames:v',
        '1',
        '-f',
        'image2',
        '-c:v',
        'png',
        png,
      ],
      timeoutMs,
    );
    if (!result.ok || !existsSync(png)) continue;
    try {
      await thumbnail(png, thumbnailPath);
      return thumbnailPath;
    } catch (error) {
      if (isEnvironmentError(error)) throw error;
    } finally {
      await rm(png, { force: true });
    }
  }
  return null;
}
