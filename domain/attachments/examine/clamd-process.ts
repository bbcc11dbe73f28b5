import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createClamdScanner } from './clamav';
import { type ClamdConfigOptions, writeClamdConfig, writeTestSignatures } from './clamd-config';
import { findTool } from './tools';

export interface StartClamdOptions {
  /** A private directory: config, socket, temporary files (and test signatures). */
  dir: string;
  /** Signatures to load; default `<dir>/db` with the one-line EICAR signature. */
  databaseDir?: string;
  /** Default: `clamd` in PATH, /usr/sbin or /usr/bin. */
  clamdPath?: string;
  /** How long to wait for clamd to answer PING (loading a full database takes longer). */
  startTimeoutMs?: number;
  /** Called with each line clamd prints (it logs to stderr in the foreground). */
  onLog?: (line: string) => void;
  /** Lower limits, for tests only (see writeClamdConfig). */
  limits?: Pick<ClamdConfigOptions, 'streamMaxLength' | 'maxFileSize' | 'maxScanSize'>;
}

export interface RunningClamd {
  /** `unix:<dir>/clamd.sock`, for createClamdScanner. */
  url: string;
  /** The current clamd process (a new one after each start()). */
  readonly process: ChildProcess;
  /** SIGTERM, then wait for it to exit (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again after stop() (fault tests: "clamd returns"). */
  start(): Promise<void>;
}

/**
 * A private clamd for tests and for `npm start` in development: writes its config, spawns
 * `clamd -c <conf>` in the foreground and resolves once it answers PING. With the one-line
 * test database clamd 1.4 is ready in about a second.
 */
export async function startClamd(options: StartClamdOptions): Promise<RunningClamd> {
  const clamd = options.clamdPath ?? findTool('clamd');
  if (!clamd) throw new Error('clamd is not installed (apt-get install clamav-daemon)');
  const databaseDir = options.databaseDir ?? join(options.dir, 'db');
  if (!options.databaseDir) await writeTestSignatures(databaseDir);
  const socketPath = join(options.dir, 'clamd.sock');
  const config = await writeClamdConfig(options.dir, {
    socketPath,
    databaseDir,
    ...options.limits,
  });
  const url = `unix:${socketPath}`;
  const scanner = createClamdScanner(url, { timeoutMs: 2000 });
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    await rm(socketPath, { force: true }); // a stale socket from a killed clamd
    const started = spawn(clamd, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    // clamd in the foreground outlives a parent that exits without stop() (a crashed test
    // file): kill it with us. (Nothing can help if the parent is SIGKILLed.)
    const killOnExit = () => started.kill('SIGKILL');
    process.once('exit', killOnExit);
    started.once('exit', () => process.off('exit', killOnExit));
    let output = '';
    const collect = (data: Buffer) => {
      const text = data.toString();
      output = (output + text).slice(-4000);
      if (options.onLog) for (const line of text.split('\n')) if (line.trim()) options.onLog(line);
    };
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(
          `clamd exited (${started.exitCode ?? started.signalCode}) while starting: ${output.slice(-1000)}`,
        );
      }
      try {
        await scanner.ping();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    started.kill('SIGKILL');
    throw new Error(`clamd did not answer within ${timeoutMs} ms: ${output.slice(-1000)}`);
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    get process() {
      if (!child) throw new Error('clamd was never started');
      return child;
    },
    stop,
    start,
  };
}
