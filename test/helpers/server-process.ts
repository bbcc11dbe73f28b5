import { type ChildProcess, spawn } from 'node:child_process';

/** A server child process (server-child.ts) that a test can SIGKILL and start again. */
export interface ServerProcess {
  url: string;
  port: number;
  /** SIGKILL, as a crash: resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, same environment. */
  restart(): Promise<void>;
}

const BOOT_TIMEOUT_MS = 30_000;
const running = new Set<ChildProcess>();

/**
 * Starts `test/helpers/server-child.ts` with `env` (DATABASE_URL, REDIS_PREFIX… the port is
 * given), resolving once it listens. Every process started here is SIGKILLed by
 * `killServerProcesses()` (call it in afterAll), whatever the test did.
 */
export async function startServerProcess(
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<ServerProcess> {
  let child: ChildProcess | null = null;
  const boot = async () => {
    child = await spawnServer(port, env);
  };
  await boot();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async kill() {
      if (child) await killChild(child);
      child = null;
    },
    restart: boot,
  };
}

export async function killServerProcesses(): Promise<void> {
  await Promise.all([...running].map(killChild));
}

function spawnServer(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/server-child.ts'], {
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', ...env, PORT: String(port) },
    // stderr is kept, not shown: a server whose Redis is killed logs every reconnection.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-2000);
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server child did not start within ${BOOT_TIMEOUT_MS} ms`));
    }, BOOT_TIMEOUT_MS);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server child exited (${code}) before it was ready: ${err}`));
    });
  });
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
