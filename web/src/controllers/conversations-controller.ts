import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConversationSummary } from '../api/conversations';
import type { RelaisSession } from '../session/session';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The signed-in user's conversations, newest activity first (S1). Loads when the host
 * connects or the session changes; `reload()` refreshes.
 */
export class ConversationsController implements ReactiveController {
  items: ConversationSummary[] = [];
  status: LoadStatus = 'idle';
  error: unknown = null;
  #session: RelaisSession | null = null;
  #abort: AbortController | null = null;

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
    this.#abort?.abort();
    this.#session = null;
  }

  #sync(): void {
    const session = this.getSession();
    if (session !== this.#session) {
      this.#session = session;
      void this.reload();
    }
  }

  async reload(): Promise<void> {
    const session = this.#session;
    this.#abort?.abort();
    if (!session) {
      this.items = [];
      this.status = 'idle';
      this.host.requestUpdate();
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.status = 'loading';
    this.host.requestUpdate();
    try {
      const items = await session.get<
        ConversationSummary[] | { conversations: ConversationSummary[] }
      >('/api/conversations', abort.signal);
      this.items = Array.isArray(items) ? items : items.conversations;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (abort.signal.aborted) return;
      this.error = err;
      this.status = 'error';
    }
    this.host.requestUpdate();
  }
}
