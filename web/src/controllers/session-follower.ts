import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RelaisSession } from '../session/session';

/**
 * Keeps a controller on its host's session, which comes from a property or from the
 * `server` and `token` attributes and so is read again at each update: when it is another
 * one, the listeners move to it and `changed` runs (a list loads again); on disconnection
 * the listeners go. The part the session-bound controllers (SessionWatcher,
 * ConversationsController, AdminQueueController) have in common.
 */
export class SessionFollower implements ReactiveController {
  #session: RelaisSession | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly getSession: () => RelaisSession | null,
    private readonly listeners: Record<string, EventListener>,
    private readonly changed: (session: RelaisSession | null) => void = () => undefined,
  ) {
    host.addController(this);
  }

  /** The session followed (null before the host connects, after it disconnects, signed out). */
  get session(): RelaisSession | null {
    return this.#session;
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    this.#attach(null);
  }

  #sync(): void {
    const session = this.getSession();
    if (session === this.#session) return;
    this.#attach(session);
    this.changed(session);
  }

  #attach(session: RelaisSession | null): void {
    for (const [type, listener] of Object.entries(this.listeners)) {
      this.#session?.removeEventListener(type, listener);
      session?.addEventListener(type, listener);
    }
    this.#session = session;
  }
}
