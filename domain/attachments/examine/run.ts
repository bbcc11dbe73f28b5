import { spawn } from 'node:child_process';

export interface RunResult {
  ok: boolean;
  /** Exit code, or null when killed (timeout). */
  code: number | null;
  stdout: string;
  /** The end of stderr, for the logs. */
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a tool with an argument array (no shell, so no quoting of file names), a timeout
 * (SIGKILL: a tool stuck on a crafted file must not hold the worker) and bounded output.
 * Rejects only when the tool cannot be started at all (ENOENT…): that is our machine's
 * problem, not the file's.
 */
export function runTool(
  command: string,
  args: string[],
  timeoutMs: number,
  maxStdout = 1024 * 1024,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (data: Buffer) => {
      if (stdout.length < maxStdout) stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, code, stdout, stderr: stderr.trim(), timedOut });
    });
  });
}
