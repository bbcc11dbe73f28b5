import type { LitElement, ReactiveController } from 'lit';
import type { RelaisConfirm } from '../components/relais-confirm';
import type { RelaisSession } from '../session/session';
import type { AdminQueueController } from './admin-queue-controller';

export interface DecisionOptions<T, D extends string> {
  /** Sends the decision on an item to the server. */
  send: (session: RelaisSession, item: T, decision: D) => Promise<unknown>;
  /** The status line once the decision is recorded. */
  doneText: (item: T, decision: D) => string;
  /** The alert when it failed (unreachable, 403, already decided…). */
  errorText: (err: unknown) => string;
  /** The items counted in `relais-pending-change` (all of them by default). */
  awaits?: (item: T) => boolean;
}

/**
 * The decision flow of an administration screen (membership requests, identities to
 * verify): a button asks (`ask`), the host's <relais-confirm> opens; "Confirmer" sends it
 * (`decide`) through the queue, then the dialog closes, the status line or the alert says
 * how it went and the focus goes back to the screen's title (h2). The host is told
 * `relais-pending-change` (`detail: { count }`) whenever the number of items awaiting a
 * decision changes.
 */
export class AdminDecisionController<T extends { id: number }, D extends string>
  implements ReactiveController
{
  /** The decision being confirmed. */
  pending: { item: T; decision: D } | null = null;
  /** Set while the decision is sent. */
  busy = false;
  error: string | null = null;
  done: string | null = null;
  #count = -1;

  constructor(
    private readonly host: LitElement,
    readonly queue: AdminQueueController<T>,
    private readonly options: DecisionOptions<T, D>,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const { status, items } = this.queue;
    const awaits = this.options.awaits;
    const count = status === 'ready' ? (awaits ? items.filter(awaits) : items).length : -1;
    if (count >= 0 && count !== this.#count) {
      this.#count = count;
      this.host.dispatchEvent(
        new CustomEvent('relais-pending-change', {
          detail: { count },
          bubbles: true,
          composed: true,
        }),
      );
    }
  }

  /** Moves the focus to the screen's title. */
  focusHeading(): void {
    this.host.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  /** Asks for a confirmation of `decision` on `item`. */
  async ask(item: T, decision: D): Promise<void> {
    this.pending = { item, decision };
    this.error = null;
    this.done = null;
    this.host.requestUpdate();
    await this.host.updateComplete;
    await this.#confirm()?.show();
  }

  /** The confirmation was cancelled (the dialog closed itself). */
  cancel(): void {
    this.pending = null;
    this.host.requestUpdate();
  }

  /** Sends the decision being confirmed. */
  async decide(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    const { item, decision } = pending;
    this.busy = true;
    this.host.requestUpdate();
    try {
      await this.queue.decide(item.id, (session) => this.options.send(session, item, decision));
      this.done = this.options.doneText(item, decision);
    } catch (err) {
      this.error = this.options.errorText(err);
    } finally {
      this.busy = false;
      this.#confirm()?.close();
      this.pending = null;
      this.host.requestUpdate();
      await this.host.updateComplete;
      this.focusHeading();
    }
  }

  #confirm(): RelaisConfirm | null {
    return this.host.renderRoot.querySelector('relais-confirm');
  }
}
