import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type ConversationSummary, conversationsApi } from '../api/conversations';
import type { RealtimeEvent } from '../api/types';
import type { RelaisSession } from '../session/session';
import { SessionFollower } from './session-follower';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The signed-in user's conversations, newest activity first (S1), kept current by the
 * session's realtime events (new conversation, new message, read markers) and reloaded
 * after a reconnection, and from scratch when what the account may read changed (`access`:
 * identity verified, structure approved, attached or detached — old conversations appear,
 * lost ones go).
 */
export class ConversationsController implements ReactiveController {
  items: ConversationSummary[] = [];
  nextCursor: string | null = null;
  status: LoadStatus = 'idle';
  error: unknown = null;
  /** The conversation on screen: its new messages do not count as unread. */
  openId: number | null = null;
  #abort: AbortController | null = null;
  readonly #follower: SessionFollower;

  constructor(
    private readonly host: ReactiveControllerHost,
    getSession: () => RelaisSession | null,
  ) {
    host.addController(this);
    this.#follower = new SessionFollower(
      host,
      getSession,
      { realtime: this.#onRealtime, reconnected: this.#onReconnected, read: this.#onRead },
      () => void this.reload(),
    );
  }

  hostDisconnected(): void {
    this.#abort?.abort();
  }

  async reload(): Promise<void> {
    const session = this.#follower.session;
    this.#abort?.abort();
    if (!session) {
      this.items = [];
      this.status = 'idle';
      this.host.requestUpdate();
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    if (!this.items.length) this.status = 'loading';
    this.host.requestUpdate();
    try {
      const page = await conversationsApi.list(session, { limit: 50 }, abort.signal);
      this.items = page.conversations;
      this.nextCursor = page.nextCursor;
      for (const c of page.conversations) session.track(c.id, c.lastSeq);
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (abort.signal.aborted) return;
      this.error = err;
      this.status = 'error';
    }
    this.host.requestUpdate();
  }

  async loadMore(): Promise<void> {
    const session = this.#follower.session;
    if (!session || !this.nextCursor) return;
    const page = await conversationsApi.list(session, { cursor: this.nextCursor, limit: 50 });
    const known = new Set(this.items.map((c) => c.id));
    this.items = [...this.items, ...page.conversations.filter((c) => !known.has(c.id))];
    for (const c of page.conversations) session.track(c.id, c.lastSeq);
    this.nextCursor = page.nextCursor;
    this.host.requestUpdate();
  }

  #onReconnected = () => {
    void this.reload();
  };

  #onRead = (event: Event) => {
    const { conversationId, lastReadSeq } = (event as CustomEvent).detail as {
      conversationId: number;
      lastReadSeq: number;
    };
    this.#update(conversationId, (c) => ({
      ...c,
      lastReadSeq: Math.max(c.lastReadSeq, lastReadSeq),
      unreadCount: Math.max(0, c.lastSeq - Math.max(c.lastReadSeq, lastReadSeq)),
    }));
  };

  #onRealtime = (event: Event) => {
    const e = (event as CustomEvent<RealtimeEvent>).detail;
    const me = this.#follower.session?.account?.id;
    switch (e.type) {
      case 'conversation': {
        const c = e.conversation;
        const existing = this.items.find((x) => x.id === c.id);
        if ('unreadCount' in c) {
          // A summary from the catch-up after a reconnection: it is the truth.
          const summary = this.openId === c.id ? { ...c, unreadCount: 0 } : c;
          this.#upsert(summary);
        } else if (existing) {
          this.#upsert({ ...existing, participants: c.participants, subject: c.subject });
        } else if (e.reason === 'created') {
          this.#upsert({ ...c, lastSeq: 0, lastMessage: null, lastReadSeq: 0, unreadCount: 0 });
        } else {
          void this.reload(); // Added to a conversation this list has not seen.
        }
        return;
      }
      case 'message': {
        const existing = this.items.find((c) => c.id === e.conversationId);
        if (!existing) {
          void this.reload();
          return;
        }
        if (e.message.seq <= existing.lastSeq) return;
        const read = e.message.sender?.accountId === me || this.openId === e.conversationId;
        this.#upsert({
          ...existing,
          lastMessage: e.message,
          lastSeq: e.message.seq,
          lastActivityAt: e.message.createdAt,
          lastReadSeq: read ? e.message.seq : existing.lastReadSeq,
          unreadCount: read ? 0 : e.message.seq - existing.lastReadSeq,
        });
        return;
      }
      case 'access':
        this.nextCursor = null;
        void this.reload();
        return;
      case 'read':
        if (e.reader.accountId !== me) return;
        this.#onRead(
          new CustomEvent('read', {
            detail: { conversationId: e.conversationId, lastReadSeq: e.lastReadSeq },
          }),
        );
        return;
    }
  };

  /** Inserts or replaces a conversation, keeping the newest activity first. */
  #upsert(c: ConversationSummary): void {
    this.items = [c, ...this.items.filter((x) => x.id !== c.id)].sort((a, b) =>
      b.lastActivityAt.localeCompare(a.lastActivityAt),
    );
    this.status = 'ready';
    this.host.requestUpdate();
  }

  #update(id: number, change: (c: ConversationSummary) => ConversationSummary): void {
    let changed = false;
    this.items = this.items.map((c) => {
      if (c.id !== id) return c;
      changed = true;
      return change(c);
    });
    if (changed) this.host.requestUpdate();
  }
}
