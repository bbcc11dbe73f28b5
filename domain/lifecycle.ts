import type { Logger } from './logger';

/**
 * Graceful shutdown for the entry points: on SIGTERM/SIGINT, run the stoppers in order
 * (stop accepting, finish in-flight work, close connections) within a deadline, then exit.
 * A second signal exits at once.
 */
export function onShutdown(
  logger: Logger,
  timeoutMs: number,
  stoppers: Array<[string, () => Promise<unknown>]>,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, timeoutMs + 2000);
    deadline.unref();
    for (const [name, fn] of stoppers) {
      try {
        await fn();
      } catch (err) {
        logger.error({ err, step: name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Prints a boot failure as one clear message (no stack trace for known causes) and exits. */
export function exitWithBootError(err: unknown): never {
  const e = err as Error;
  const known = ['ConfigError', 'ServiceUnavailableError'].includes(e?.name);
  process.stderr.write(
    `\nRelais cannot start.\n${known ? e.message : (e?.stack ?? String(err))}\n\n`,
  );
  process.exit(1);
}
