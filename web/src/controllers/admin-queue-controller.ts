import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiError } from '../api/http';
import type { RelaisSession } from '../session/session';
import type { LoadStatus } from './conversations-controller';
import { SessionFollower } from './session-follower';

/**
 * A list of things an administrator decides (membership requests, identities to verify),
 * loaded when the session's account may see it (`enabled`), and loaded again after a
 * reconnection, when the account changed (`me`: a role gained or lost), and after any
 * decision taken in this page (`admin-changed` on the session: the Administration badge of
 * <relais-app> and the screens stay in step).
 */
export class AdminQueueController<T extends { id: number }> implements ReactiveController {
  items: T[] = [];
  status: LoadStatus = 'idle';
  error: unknown = null;
  #abort: AbortController | null = null;
  readonly #follower: SessionFollower;

  constructor(
    private readonly host: ReactiveControllerHost,
    getSession: () => RelaisSession | null,
    private readonly load: (session: RelaisSession, signal: AbortSignal) => Promise<T[]>,
    private readonly enabled: (session: RelaisSession) => boolean,
  ) {
    host.addController(this);
    const reload = () => void this.reload();
    this.#follower = new SessionFollower(
      host,
      getSession,
      { me: reload, reconnected: reload, 'admin-changed': reload },
      reload,
    );
  }

  hostDisconnected(): void {
    this.#abort?.abort();
  }

  async reload(): Promise<void> {
    const session = this.#follower.session;
    this.#abort?.abort();
    if (!session || !this.enabled(session)) {
      this.items = [];
      this.status = 'idle';
      this.host.requestUpdate();
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    if (this.status !== 'ready') this.status = 'loading';
    this.host.requestUpdate();
    try {
      this.items = await this.load(session, abort.signal);
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (abort.signal.aborted) return;
      this.error = err;
      this.status = 'error';
    }
    this.host.requestUpdate();
  }

  /**
   * Runs a decision on one item. Done: the item leaves the list and the session hears
   * `admin-changed`. Failed: rethrown for the element to explain; when someone else decided
   * first (404, 409) the list is loaded again, so it shows what is left to do.
   */
  async decide(id: number, action: (session: RelaisSession) => Promise<unknown>): Promise<void> {
    const session = this.#follower.session;
    if (!session) throw new Error('Signed out');
    try {
      await action(session);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
        void this.reload();
      }
      throw err;
    }
    this.items = this.items.filter((item) => item.id !== id);
    this.host.requestUpdate();
    session.dispatchEvent(new Event('admin-changed'));
  }
}
