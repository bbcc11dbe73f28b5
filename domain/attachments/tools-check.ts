import { readdirSync } from 'node:fs';
import { findTool } from './examine/tools';

/**
 * What the machine lacks for attachments, said once at start with the command that
 * installs it. Outside production Relais works without them: files are marked
 * "non analysé" without an antivirus, videos get no poster without ffmpeg, PDFs no
 * thumbnail without poppler.
 */
export interface ToolReport {
  clamd: string | null;
  ffmpeg: string | null;
  pdftoppm: string | null;
  /** Where Debian keeps real signatures, if any were downloaded (freshclam, cvdupdate). */
  signatures: string | null;
}

export const INSTALL_HINT = {
  clamd: 'sudo apt-get install clamav-daemon',
  ffmpeg: 'sudo apt-get install ffmpeg',
  pdftoppm: 'sudo apt-get install poppler-utils',
} as const;

export function checkTools(signaturesDir = '/var/lib/clamav'): ToolReport {
  let signatures: string | null = null;
  try {
    if (readdirSync(signaturesDir).some((f) => /\.(cvd|cld)$/.test(f))) signatures = signaturesDir;
  } catch {
    // no folder: no signatures
  }
  return {
    clamd: findTool('clamd'),
    ffmpeg: findTool('ffmpeg'),
    pdftoppm: findTool('pdftoppm'),
    signatures,
  };
}

/** One line per missing tool, for a person at a terminal. */
export function missingToolLines(report: ToolReport, scannerConfigured: boolean): string[] {
  const lines: string[] = [];
  if (!scannerConfigured && !report.clamd) {
    lines.push(
      `No antivirus: clamd is not installed, so files are shown "non analysé" (development only). Install it with: ${INSTALL_HINT.clamd}`,
    );
  }
  if (!report.ffmpeg) {
    lines.push(
      `ffmpeg is not installed: videos get no poster frame and keep their metadata. Install it with: ${INSTALL_HINT.ffmpeg}`,
    );
  }
  if (!report.pdftoppm) {
    lines.push(
      `pdftoppm is not installed: PDFs get no first-page thumbnail. Install it with: ${INSTALL_HINT.pdftoppm}`,
    );
  }
  return lines;
}
