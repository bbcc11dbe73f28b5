import { ApiError } from './rest';
import type { AttachmentView, Message, MessagePage } from './types';

/**
 * Hands messages to the app once each and in seq order per conversation, and notices the
 * ones that never came.
 *
 * Seqs are 1, 2, 3… per conversation with no holes, and every reader of a conversation may
 * read all of them (someone added later sees the history too), so a seq that skips means
 * messages were stored that this client did not get: an event lost with Redis, a
 * reconnection, a publish that raced another. Whatever the cause, the same cure: per
 * conversation, `contiguous` is the highest seq up to which the app holds everything
 * (emitted, or loaded by the app itself and declared with `track`); a message beyond
 * contiguous + 1 is held back and the gap is fetched (`after=contiguous`, paged), one
 * fetch at a time per conversation; the held message follows once the gap is filled.
 * A fetch that fails keeps what it held: `fill` is called again by the next catch-up.
 */
export interface SequencerHooks {
  /** The app gets a message (called in seq order per conversation, once per id). */
  emit(conversationId: number, message: Message, live: boolean): void;
  /** A page of messages after a seq (ascending), as GET …/messages?after= returns it. */
  fetchAfter(conversationId: number, after: number): Promise<MessagePage>;
  /** A gap fetch started by a received message failed (it is retried by the next `fill`). */
  failed(err: unknown): void;
}

interface Conversation {
  contiguous: number;
  /** Messages received beyond contiguous + 1, by seq, waiting for the gap before them. */
  held: Map<number, { message: Message; live: boolean }>;
  /** The gap fetch in flight, shared by everyone who asks meanwhile. */
  filling: Promise<number> | null;
  /** Asked again while filling: go round once more, from the new contiguous seq. */
  again: boolean;
}

const SEEN_LIMIT = 10_000;

export class Sequencer {
  private readonly conversations = new Map<number, Conversation>();
  private readonly seen = new Set<string>();

  constructor(private readonly hooks: SequencerHooks) {}

  has(conversationId: number): boolean {
    return this.conversations.has(conversationId);
  }

  /** The highest seq up to which the app holds every message (undefined: unknown). */
  contiguous(conversationId: number): number | undefined {
    return this.conversations.get(conversationId)?.contiguous;
  }

  /** The app holds this conversation up to `seq` (loaded by other means): never goes back. */
  track(conversationId: number, seq: number): void {
    const c = this.state(conversationId, seq);
    if (seq > c.contiguous) c.contiguous = seq;
    this.drain(conversationId, c);
  }

  /** A message id the app already has (a page it loaded): never emitted. */
  remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_LIMIT) {
      // Sets iterate in insertion order: drop the oldest half.
      let drop = SEEN_LIMIT / 2;
      for (const old of this.seen) {
        this.seen.delete(old);
        if (--drop === 0) break;
      }
    }
  }

  /**
   * A message from an event or a send. A conversation seen for the first time starts just
   * before it: its history is the app's to load when it opens it, not a gap.
   */
  receive(conversationId: number, message: Message, live: boolean): void {
    const c = this.state(conversationId, message.seq - 1);
    this.accept(conversationId, c, message, live);
    if (c.held.size > 0) this.fill(conversationId).catch((err) => this.hooks.failed(err));
  }

  /** A file of a message held back changed (attachment.updated): it is emitted with it. */
  updateAttachment(conversationId: number, messageId: string, attachment: AttachmentView): void {
    for (const held of this.conversations.get(conversationId)?.held.values() ?? []) {
      if (held.message.id !== messageId) continue;
      held.message = {
        ...held.message,
        attachments: replaceAttachment(held.message.attachments, attachment),
      };
    }
  }

  /** A file of a message held back was refused: it is emitted without it. */
  removeAttachment(conversationId: number, messageId: string, attachmentId: string): void {
    for (const held of this.conversations.get(conversationId)?.held.values() ?? []) {
      if (held.message.id !== messageId) continue;
      held.message = {
        ...held.message,
        attachments: held.message.attachments.filter((a) => a.id !== attachmentId),
      };
    }
  }

  /** Conversations holding messages back (a gap not fetched yet: a failed fetch). */
  waiting(): number[] {
    return [...this.conversations].filter(([, c]) => c.held.size > 0).map(([id]) => id);
  }

  /**
   * Fetches everything after the contiguous seq until the server has no more, emitting in
   * order; resolves with how many messages it emitted. Concurrent calls for a conversation
   * share one fetch (plus one more round if asked meanwhile). Rejects when the network or
   * server fails: what was held stays held for the next call.
   */
  fill(conversationId: number): Promise<number> {
    const c = this.conversations.get(conversationId);
    if (!c) return Promise.resolve(0);
    if (c.filling) {
      c.again = true;
      return c.filling;
    }
    c.filling = (async () => {
      let emitted = 0;
      try {
        do {
          c.again = false;
          emitted += await this.fetchAll(conversationId, c);
        } while (c.again);
      } finally {
        c.filling = null;
      }
      return emitted;
    })();
    return c.filling;
  }

  private async fetchAll(conversationId: number, c: Conversation): Promise<number> {
    let emitted = 0;
    for (;;) {
      const from = c.contiguous;
      let page: MessagePage;
      try {
        page = await this.hooks.fetchAfter(conversationId, from);
      } catch (err) {
        if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
          // Access lost (left, detached): what came live was the reader's to see; nothing
          // more will come, so hand over what is held, in order.
          return emitted + this.release(conversationId, c);
        }
        throw err;
      }
      for (const message of page.messages) {
        if (this.accept(conversationId, c, message, false)) emitted++;
      }
      const progressed = c.contiguous > from;
      if (!page.hasMoreAfter || !progressed) break;
    }
    // The server has nothing more after contiguous, yet messages are held beyond it: it
    // cannot happen with one primary database (a seq is visible only after those before
    // it); rather than hold them forever, hand them over in order.
    return emitted + this.release(conversationId, c);
  }

  /** Emits or holds one message; returns whether it was emitted now. */
  private accept(
    conversationId: number,
    c: Conversation,
    message: Message,
    live: boolean,
  ): boolean {
    const fresh = !this.seen.has(message.id);
    if (message.seq > c.contiguous + 1) {
      if (fresh && !c.held.has(message.seq)) c.held.set(message.seq, { message, live });
      return false;
    }
    if (fresh) this.emit(conversationId, message, live);
    if (message.seq === c.contiguous + 1) {
      c.contiguous = message.seq;
      this.drain(conversationId, c);
    }
    return fresh;
  }

  /** Emits the held messages that now follow on. */
  private drain(conversationId: number, c: Conversation): void {
    for (const seq of [...c.held.keys()].sort((a, b) => a - b)) {
      if (seq > c.contiguous + 1) break;
      const { message, live } = c.held.get(seq)!;
      c.held.delete(seq);
      if (!this.seen.has(message.id)) this.emit(conversationId, message, live);
      c.contiguous = Math.max(c.contiguous, seq);
    }
  }

  private release(conversationId: number, c: Conversation): number {
    let emitted = 0;
    for (const seq of [...c.held.keys()].sort((a, b) => a - b)) {
      const { message, live } = c.held.get(seq)!;
      c.held.delete(seq);
      if (this.seen.has(message.id)) continue;
      this.emit(conversationId, message, live);
      c.contiguous = Math.max(c.contiguous, seq);
      emitted++;
    }
    return emitted;
  }

  private emit(conversationId: number, message: Message, live: boolean): void {
    this.remember(message.id);
    this.hooks.emit(conversationId, message, live);
  }

  private state(conversationId: number, start: number): Conversation {
    let c = this.conversations.get(conversationId);
    if (!c) {
      c = { contiguous: Math.max(0, start), held: new Map(), filling: null, again: false };
      this.conversations.set(conversationId, c);
    }
    return c;
  }
}

/**
 * A message's files with one replaced by its new view (matched by id; added when the
 * message did not list it yet). A file refused for its sender stays, with its reason.
 */
export function replaceAttachment(
  list: AttachmentView[] | undefined,
  attachment: AttachmentView,
): AttachmentView[] {
  const current = list ?? [];
  return current.some((a) => a.id === attachment.id)
    ? current.map((a) => (a.id === attachment.id ? attachment : a))
    : [...current, attachment];
}
