import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { thumbnail } from './images';
import { runTool } from './run';
import { isEnvironmentError, message, type Transformed } from './transformed';

/**
 * A PDF is served as its original bytes (always as a download: the serving layer sets
 * `Content-Disposition: attachment`), with its first page rendered by poppler's pdftoppm
 * as a thumbnail.
 *
 * Choice: a PDF whose first page pdftoppm cannot render is refused as 'unreadable'. It is
 * corrupt, truncated, password-protected or hostile (crafted to trip readers); the
 * recipient's reader would most likely fail on it too, and the sender is told at once to
 * send it again rather than a colleague finding out later. Without pdftoppm (a development
 * machine) the PDF is served with no thumbnail and no such check.
 */
export async function processPdf(
  input: string,
  pdftoppm: string | null,
  workDir: string,
  timeoutMs = 60_000,
): Promise<Transformed> {
  const served = {
    servedPath: input,
    servedType: 'application/pdf',
    width: null,
    height: null,
    durationSeconds: null,
  };
  if (!pdftoppm) return { ok: true, ...served, thumbnailPath: null };
  const prefix = join(workDir, 'page');
  // -scale-to 480: the longer side; a hostile page size cannot make a huge bitmap.
  const result = await runTool(
    pdftoppm,
    ['-png', '-f', '1', '-l', '1', '-singlefile', '-scale-to', '480', '--', input, prefix],
    timeoutMs,
  );
  const png = `${prefix}.png`;
  if (!result.ok || !existsSync(png)) {
    await rm(png, { force: true });
    return {
      ok: false,
      reason: 'unreadable',
      detail: `pdftoppm: ${result.timedOut ? 'timeout' : result.stderr || `exit ${result.code}`}`,
    };
  }
  const thumbnailPath = join(workDir, 'thumbnail.webp');
  try {
    await thumbnail(png, thumbnailPath);
  } catch (error) {
    if (isEnvironmentError(error)) throw error;
    return { ok: false, reason: 'unreadable', detail: `first page: ${message(error)}` };
  } finally {
    await rm(png, { force: true });
  }
  return { ok: true, ...served, thumbnailPath };
}
