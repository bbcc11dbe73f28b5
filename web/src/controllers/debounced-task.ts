import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LoadStatus } from './conversations-controller';

/**
 * "As you type" requests: waits `delay` ms after the last call, aborts the request in
 * flight when a newer one starts, and keeps only the newest answer.
 */
export class DebouncedTask<T> implements ReactiveController {
  value: T | null = null;
  status: LoadStatus = 'idle';
  error: unknown = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | null = null;
  #settle: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly delay = 250,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.cancel();
  }

  /** Schedules the task (or runs it now), replacing any pending or running one. */
  run(task: (signal: AbortSignal) => Promise<T>, immediate = false): Promise<void> {
    this.cancel();
    return new Promise((resolve) => {
      this.#settle = resolve;
      const start = async () => {
        const abort = new AbortController();
        this.#abort = abort;
        this.status = 'loading';
        this.host.requestUpdate();
        try {
          const value = await task(abort.signal);
          if (abort.signal.aborted) return resolve();
          this.value = value;
          this.status = 'ready';
          this.error = null;
        } catch (err) {
          if (abort.signal.aborted) return resolve();
          this.error = err;
          this.status = 'error';
        }
        this.host.requestUpdate();
        resolve();
      };
      if (immediate) void start();
      else this.#timer = setTimeout(start, this.delay);
    });
  }

  cancel(): void {
    this.#settle?.();
    this.#settle = null;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.#abort = null;
  }

  clear(): void {
    this.cancel();
    this.value = null;
    this.status = 'idle';
    this.host.requestUpdate();
  }
}
