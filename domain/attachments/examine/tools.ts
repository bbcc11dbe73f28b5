import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of an executable (ffmpeg, ffprobe, pdftoppm, clamd) in PATH or the
 * usual Debian places (clamd is in /usr/sbin, often not in a user's PATH), or null.
 */
export function findTool(name: string): string | null {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/bin',
    '/usr/sbin',
    '/usr/local/bin',
    '/usr/local/sbin',
  ];
  for (const dir of dirs) {
    if (!dir.startsWith('/')) continue; // never a relative PATH entry
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return null;
}
