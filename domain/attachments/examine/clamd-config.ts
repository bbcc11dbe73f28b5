import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ClamdConfigOptions {
  /** Where clamd listens; keep it short: a UNIX socket path is limited to 107 bytes. */
  socketPath: string;
  /** Signatures (.cvd/.cld from a mirror, or the test .hdb). */
  databaseDir: string;
  /** Written by clamd; default `<dir>/clamd.pid`. */
  pidFile?: string;
  /** Optional log file; by default clamd logs to nothing but its stderr (Foreground). */
  logFile?: string;
  /**
   * clamd size syntax (`250M`). Lowered only by tests, to check that a file over a limit is
   * never reported clean; the defaults are above every upload limit.
   */
  streamMaxLength?: string;
  maxFileSize?: string;
  maxScanSize?: string;
}

/**
 * A clamd.conf for a private clamd run by the current user (tests, `npm start` in
 * development). Limits are above our own upload limits (200 MB video) so that clamd always
 * scans the whole file, and `AlertExceedsMax yes` so that a file over them is never
 * reported clean (the scanner turns that alert into a ScanLimitError). No `User`: clamd
 * then keeps the identity it was started with (root included: checked with clamd 1.4.6).
 * Returns the config file's path.
 */
export async function writeClamdConfig(dir: string, options: ClamdConfigOptions): Promise<string> {
  const tmp = join(dir, 'tmp');
  await mkdir(tmp, { recursive: true });
  const lines = [
    'Foreground yes',
    `LocalSocket ${options.socketPath}`,
    'LocalSocketMode 600',
    `DatabaseDirectory ${options.databaseDir}`,
    `TemporaryDirectory ${tmp}`,
    `PidFile ${options.pidFile ?? join(dir, 'clamd.pid')}`,
    'LogSyslog no',
    ...(options.logFile ? [`LogFile ${options.logFile}`, 'LogTime yes'] : []),
    `StreamMaxLength ${options.streamMaxLength ?? '250M'}`,
    `MaxFileSize ${options.maxFileSize ?? '250M'}`,
    `MaxScanSize ${options.maxScanSize ?? '1000M'}`,
    'AlertExceedsMax yes',
    // The database never changes under a private clamd: no periodic self-check reload.
    'SelfCheck 0',
  ];
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new Error('clamd configuration values must be single lines');
  }
  const path = join(dir, 'clamd.conf');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * The one-line hash database that makes clamd start without internet (Debian ships no
 * signatures) and detect the EICAR test file: its MD5, size and a name.
 */
export async function writeTestSignatures(databaseDir: string): Promise<string> {
  await mkdir(databaseDir, { recursive: true });
  const path = join(databaseDir, 'relais-test.hdb');
  await writeFile(path, '44d88612fea8a8f36de82e1278abb02f:68:Eicar\n');
  return path;
}
