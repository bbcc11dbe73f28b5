import type { ImportProgress } from './importer';

/**
 * Import progress on stderr: a redrawn bar with lines/s on a terminal; on a pipe or a CI
 * log, one plain line every `intervalMs` and at each phase change.
 */
export function progressPrinter(stream: NodeJS.WriteStream, intervalMs = 5000) {
  const started = Date.now();
  let lastPrint = 0;
  let lastPhase = '';
  const tty = Boolean(stream.isTTY);
  const render = (p: ImportProgress) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = Math.round(p.lines / Math.max(elapsed, 0.001));
    const ratio = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const pct = `${(ratio * 100).toFixed(1).padStart(5)}%`;
    const what =
      p.phase === 'load'
        ? `${p.lines.toLocaleString('en')} lines, ${rate.toLocaleString('en')} lines/s, ${p.malformed} malformed`
        : `merging: ${p.phase}`;
    if (tty) {
      const width = 30;
      const filled = Math.round(ratio * width);
      return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct} ${what} ${elapsed.toFixed(0)}s\u001b[K`;
    }
    return `${pct} ${what} (${elapsed.toFixed(0)} s)\n`;
  };
  return {
    update(p: ImportProgress) {
      const now = Date.now();
      const phaseChanged = p.phase !== lastPhase;
      if (
        tty ? now - lastPrint < 100 && !phaseChanged : now - lastPrint < intervalMs && !phaseChanged
      ) {
        return;
      }
      lastPrint = now;
      lastPhase = p.phase;
      stream.write(render(p));
    },
    done() {
      if (tty && lastPrint) stream.write('\n');
    },
  };
}
