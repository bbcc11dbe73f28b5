import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RelaisSession } from '../session/session';

/**
 * Re-renders its host when the session learns who the user is (account and structures,
 * loaded after the element first rendered when it is used on its own) or when the
 * realtime link goes up or down.
 */
export class SessionWatcher implements ReactiveController {
  #session: RelaisSession | null = null;
  readonly #update = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getSession: () => RelaisSession | null,
  ) {
    host.addController(this);
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
    if (session !== this.#session) this.#attach(session);
  }

  #attach(session: RelaisSession | null): void {
    this.#session?.removeEventListener('me', this.#update);
    this.#session?.removeEventListener('connection', this.#update);
    this.#session = session;
    session?.addEventListener('me', this.#update);
    session?.addEventListener('connection', this.#update);
  }
}
