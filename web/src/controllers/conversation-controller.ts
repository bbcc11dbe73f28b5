import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  type ConversationSummary,
  conversationsApi,
  type Message,
  newMessageId,
  type ReadMarker,
} from '../api/conversations';
import { ApiError } from '../api/http';
import type { RealtimeEvent } from '../api/types';
import { replaceAttachment } from '../client/sequencer';
import type { RelaisSession } from '../session/session';
import type { LoadStatus } from './conversations-controller';

/**
 * One open conversation: its details, messages (ascending seq), read markers, and the
 * live updates of the session's realtime link. After a reconnection it asks for
 * "everything after the last seq I have" (nes replays nothing by itself). While the page
 * is visible, what is shown is marked read.
 */
export class ConversationController implements ReactiveController {
  conversation: ConversationSummary | null = null;
  messages: Message[] = [];
  readers: ReadMarker[] = [];
  hasMoreBefore = false;
  status: LoadStatus = 'idle';
  error: unknown = null;
  /** The account lost access while the conversation was open (detached, for instance). */
  lost = false;

  #session: RelaisSession | null = null;
  #id: number | null = null;
  #abort: AbortController | null = null;
  #lastMarked = 0;
  /** A message came while the page was loading: it may be newer than the page. */
  #arrivedWhileLoading = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => { session: RelaisSession | null; id: number | null },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.#onVisible);
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.#onVisible);
    this.#attach(null);
    this.#abort?.abort();
    this.#id = null;
  }

  get lastSeq(): number {
    return this.messages.at(-1)?.seq ?? 0;
  }

  #sync(): void {
    const { session, id } = this.source();
    if (session === this.#session && id === this.#id) return;
    this.#attach(session);
    this.#id = id;
    void this.reload();
  }

  #attach(session: RelaisSession | null): void {
    this.#session?.removeEventListener('realtime', this.#onRealtime);
    this.#session?.removeEventListener('reconnected', this.#onReconnected);
    this.#session = session;
    session?.addEventListener('realtime', this.#onRealtime);
    session?.addEventListener('reconnected', this.#onReconnected);
  }

  async reload(): Promise<void> {
    this.#abort?.abort();
    const session = this.#session;
    const id = this.#id;
    this.conversation = null;
    this.messages = [];
    this.readers = [];
    this.#lastMarked = 0;
    this.lost = false;
    if (!session || id === null) {
      this.status = 'idle';
      this.host.requestUpdate();
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#arrivedWhileLoading = false;
    this.status = 'loading';
    this.host.requestUpdate();
    try {
      const [conversation, page, reads] = await Promise.all([
        conversationsApi.get(session, id, abort.signal),
        conversationsApi.messages(session, id, {}, abort.signal),
        conversationsApi.reads(session, id, abort.signal),
      ]);
      this.conversation = conversation;
      this.messages = page.messages;
      this.hasMoreBefore = page.hasMoreBefore;
      this.readers = reads.readers;
      this.#lastMarked = page.lastReadSeq;
      session.track(id, page.lastSeq);
      this.status = 'ready';
      this.error = null;
      void this.#markRead();
      // Not shown (the page was not there yet) and perhaps not in the page either: fetch
      // after what the page holds, or it would wait for the next message to be noticed.
      if (this.#arrivedWhileLoading) void this.catchUp();
    } catch (err) {
      if (abort.signal.aborted) return;
      this.status = 'error';
      this.error = err;
    }
    this.host.requestUpdate();
  }

  async loadOlder(): Promise<void> {
    const session = this.#session;
    const first = this.messages[0];
    if (!session || this.#id === null || !first) return;
    const page = await conversationsApi.messages(session, this.#id, { before: first.seq });
    this.messages = [...page.messages, ...this.messages];
    this.hasMoreBefore = page.hasMoreBefore;
    this.host.requestUpdate();
  }

  /** Sends a message; it shows at once (the realtime echo is de-duplicated by id). */
  async send(
    body: string,
    onBehalfOf: number | null,
    id = newMessageId(),
    attachments: string[] = [],
  ): Promise<Message> {
    const session = this.#session;
    if (!session || this.#id === null) throw new Error('No conversation open');
    const message = await conversationsApi.send(
      session,
      this.#id,
      body,
      onBehalfOf,
      id,
      attachments,
    );
    this.#add([message]);
    this.#lastMarked = Math.max(this.#lastMarked, message.seq);
    return message;
  }

  /** Readers (other than the sender) who have read a message: read receipts. */
  readersOf(message: Message): ReadMarker[] {
    return this.readers.filter(
      (r) => r.lastReadSeq >= message.seq && r.accountId !== message.sender?.accountId,
    );
  }

  /** Readers whose devices received a message they have not read yet: delivery receipts. */
  deliveredTo(message: Message): ReadMarker[] {
    return this.readers.filter(
      (r) =>
        r.lastReadSeq < message.seq &&
        (r.lastDeliveredSeq ?? 0) >= message.seq &&
        r.accountId !== message.sender?.accountId,
    );
  }

  #add(incoming: Message[]): void {
    const known = new Set(this.messages.map((m) => m.id));
    const fresh = incoming.filter((m) => !known.has(m.id));
    if (!fresh.length) return;
    this.messages = [...this.messages, ...fresh].sort((a, b) => a.seq - b.seq);
    this.host.requestUpdate();
  }

  /** Fetches every message after the last one held (after a gap or a reconnection). */
  async catchUp(): Promise<void> {
    const session = this.#session;
    const id = this.#id;
    if (!session || id === null || this.status !== 'ready') return;
    let after = this.lastSeq;
    for (let i = 0; i < 20; i++) {
      const page = await conversationsApi.messages(session, id, { after, limit: 200 });
      this.#add(page.messages);
      if (!page.hasMoreAfter || !page.messages.length) break;
      after = page.messages.at(-1)!.seq;
    }
    const reads = await conversationsApi.reads(session, id);
    this.readers = reads.readers;
    this.host.requestUpdate();
    void this.#markRead();
  }

  #onReconnected = () => {
    void this.catchUp();
  };

  /**
   * What the account may read changed: the open conversation is checked again. Gone (404,
   * 403): `lost`, and the element says so instead of failing on the next send. Still
   * there: refreshed. Shown as an error before (not readable then): loaded now.
   */
  async #recheck(): Promise<void> {
    const session = this.#session;
    const id = this.#id;
    if (!session || id === null) return;
    if (this.status !== 'ready') {
      if (this.status === 'error') await this.reload();
      return;
    }
    try {
      const conversation = await conversationsApi.get(session, id);
      if (id !== this.#id) return;
      this.conversation = { ...conversation };
      this.host.requestUpdate();
      await this.catchUp();
    } catch (err) {
      if (id !== this.#id) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
        this.lost = true;
        this.status = 'error';
        this.error = err;
        this.host.requestUpdate();
      }
    }
  }

  #onRealtime = (event: Event) => {
    const e = (event as CustomEvent<RealtimeEvent>).detail;
    if (this.#id === null) return;
    if (e.type === 'access') {
      void this.#recheck();
      return;
    }
    if (this.status === 'loading' && e.type === 'message' && e.conversationId === this.#id) {
      this.#arrivedWhileLoading = true;
    }
    if (this.status !== 'ready') return;
    if (e.type === 'message' && e.conversationId === this.#id) {
      if (e.message.seq > this.lastSeq + 1) {
        void this.catchUp(); // A gap: fetch what is missing, in order.
      } else {
        this.#add([e.message]);
        void this.#markRead();
      }
    } else if (e.type === 'attachment' && e.conversationId === this.#id && e.messageId) {
      const { messageId, attachment } = e;
      if (!this.messages.some((m) => m.id === messageId)) return;
      this.messages = this.messages.map((m) =>
        m.id === messageId
          ? { ...m, attachments: replaceAttachment(m.attachments, attachment) }
          : m,
      );
      this.host.requestUpdate();
    } else if (e.type === 'attachment.removed' && e.conversationId === this.#id) {
      const { messageId, attachmentId } = e;
      this.messages = this.messages.map((m) =>
        m.id === messageId
          ? { ...m, attachments: m.attachments.filter((a) => a.id !== attachmentId) }
          : m,
      );
      this.host.requestUpdate();
    } else if (e.type === 'read' && e.conversationId === this.#id) {
      const others = this.readers.filter((r) => r.accountId !== e.reader.accountId);
      this.readers = [
        ...others,
        {
          ...e.reader,
          lastReadSeq: e.lastReadSeq,
          readAt: e.readAt,
          lastDeliveredSeq: e.lastDeliveredSeq,
          deliveredAt: e.deliveredAt,
        },
      ];
      this.host.requestUpdate();
    } else if (e.type === 'conversation' && e.conversation.id === this.#id && this.conversation) {
      this.conversation = {
        ...this.conversation,
        participants: e.conversation.participants,
        subject: e.conversation.subject,
      };
      this.host.requestUpdate();
    }
  };

  #onVisible = () => {
    if (document.visibilityState === 'visible') void this.#markRead();
  };

  async #markRead(): Promise<void> {
    const session = this.#session;
    const id = this.#id;
    const seq = this.lastSeq;
    if (!session || id === null || seq <= this.#lastMarked) return;
    if (document.visibilityState !== 'visible') return;
    this.#lastMarked = seq;
    try {
      await conversationsApi.markRead(session, id, seq);
      session.dispatchEvent(
        new CustomEvent('read', { detail: { conversationId: id, lastReadSeq: seq } }),
      );
    } catch {
      this.#lastMarked = 0; // Retried on the next message or visibility change.
    }
  }
}
