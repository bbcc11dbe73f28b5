import * as NesModule from '@hapi/nes/lib/client';
import { ApiError, type ApiOptions, RelaisApi } from './rest';
import { Sequencer } from './sequencer';
import type { Conversation, ConversationSummary, Message, ServerEvent } from './types';
import { withAbsoluteFileUrls } from './urls';

/**
 * The realtime side of the client: one nes connection, one subscription (the user's own
 * path), and the guarantee the app relies on — every message arrives once:
 *
 * - messages reach the app once each and in seq order per conversation; a seq that skips
 *   (an event lost, whatever the cause) is noticed and the gap fetched before the newer
 *   message is handed over (sequencer.ts);
 * - nes replays nothing after a reconnect, so after every (re)connection, and when the
 *   server says events were lost (`sync.required`, after a Redis outage), the client asks
 *   what changed since its watermark (`GET /api/conversations?activeSince=`) and fills,
 *   for each conversation it knows, everything after the highest seq it holds *without a
 *   hole* (not the highest it has seen: a live event may have jumped ahead meanwhile);
 * - a catch-up or gap fetch that fails is retried (backoff), and by the next one anyway;
 * - when the server refuses the token (expired or revoked while disconnected), nes stops
 *   reconnecting: the client emits `expired` and waits for `reauthenticate(token)`. nes
 *   also stops after any other refused hello (a node still starting): the client
 *   reconnects by itself then.
 */
type NesClientInstance = import('@hapi/nes/lib/client').Client;
type NesError = import('@hapi/nes/lib/client').NesError;

// The nes client is a UMD/CommonJS module: its class is on the namespace or on `default`.
const nesExports = NesModule as unknown as {
  Client?: typeof import('@hapi/nes/lib/client').Client;
  default?: { Client: typeof import('@hapi/nes/lib/client').Client };
};
const NesClient = (nesExports.Client ?? nesExports.default?.Client)!;

export interface RealtimeEvents {
  /** A message, live or recovered by catch-up; each message id is emitted once. */
  message: { conversationId: number; message: Message; live: boolean };
  /** A conversation created, changed (participants) or found changed by catch-up. */
  conversation: {
    conversation: Conversation | ConversationSummary;
    reason: 'created' | 'participants' | 'catch-up';
  };
  read: Extract<ServerEvent, { type: 'read.updated' }>;
  /** Someone else is typing in a conversation (sent every few seconds while they type). */
  typing: Extract<ServerEvent, { type: 'typing' }>;
  participants: Extract<ServerEvent, { type: 'participants.changed' }>;
  /** A file finished processing (ready, refused): replace it where it is shown. */
  attachment: Extract<ServerEvent, { type: 'attachment.updated' }>;
  /** A file shown as pending was refused (its sender alone is told why): drop it. */
  attachmentRemoved: Extract<ServerEvent, { type: 'attachment.removed' }>;
  /**
   * What the account may read changed (identity verified, approved into, attached to or
   * detached from a structure). The catch-up lists only conversations active since its
   * watermark, so old ones that became visible are not in it: reload the list from scratch
   * (and drop what is no longer in it).
   */
  access: Record<string, never>;
  connected: { reconnect: boolean };
  disconnected: { willReconnect: boolean };
  /** The server refused the credentials: call reauthenticate() with a fresh token. */
  expired: { statusCode: number; message: string };
  /** Catch-up (after a (re)connection, `sync.required` or `sync()`) finished. */
  synced: { conversations: number; messages: number };
  error: Error;
}

type Listener<T> = (payload: T) => void;

export interface RealtimeOptions extends ApiOptions {
  /** The signed-in account (its subscription path); read from /api/me when omitted. */
  accountId?: number;
  /** WebSocket implementation outside browsers (Node: `import WebSocket from 'ws'`). */
  WebSocket?: unknown;
  /** Reconnection delays (ms): nes waits delay, 2×delay… up to maxDelay. */
  reconnectDelay?: number;
  maxReconnectDelay?: number;
  /** Seconds subtracted from the watermark to absorb commit-time skew (default 5). */
  watermarkMarginSeconds?: number;
  /** Acknowledge received messages (delivery receipts), batched every this many ms (250); 0: never. */
  deliveryAckMs?: number;
}

/** Longest wait before retrying a failed catch-up or reconnection by ourselves (ms). */
const MAX_RETRY_MS = 30_000;

export class RealtimeClient {
  readonly api: RelaisApi;
  private readonly nes: NesClientInstance;
  private readonly listeners = new Map<keyof RealtimeEvents, Set<Listener<unknown>>>();
  /** Per conversation: in-order, once-only delivery and gap detection. */
  private readonly sequencer: Sequencer;
  private watermark: string | null = null;
  private accountId: number | null;
  private subscribed = false;
  private syncing: Promise<void> | null = null;
  private resyncRequested = false;
  /** Delivery receipts waiting to be sent: conversation → highest seq received. */
  private readonly acks = new Map<number, number>();
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  /** A failed catch-up is tried again after this timer (backoff: `retries`). */
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;
  /** nes gave up after a refused hello that was not about credentials: we reconnect. */
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private restarting = false;

  constructor(private readonly options: RealtimeOptions) {
    this.api = new RelaisApi({
      ...options,
      onUnauthorized: () => {
        options.onUnauthorized?.();
      },
    });
    this.accountId = options.accountId ?? null;
    this.sequencer = new Sequencer({
      emit: (conversationId, message, live) => {
        this.emit('message', { conversationId, message, live });
        if (!message.mine) this.acknowledge(conversationId, message.seq);
      },
      fetchAfter: (conversationId, after) =>
        this.api.listMessages(conversationId, { after, limit: 200 }),
      failed: (err) => {
        this.emit('error', err as Error);
        this.retryLater(err);
      },
    });
    if (options.WebSocket) {
      (NesClient as unknown as { WebSocket: unknown }).WebSocket = options.WebSocket;
    }
    const wsUrl = options.baseUrl.replace(/^http/, 'ws') as `ws://${string}`;
    this.nes = new NesClient(wsUrl);
    this.nes.onConnect = () => {
      // The first connection is completed by connect(); later ones are reconnections,
      // where nes has re-sent the subscription in its hello.
      if (!this.subscribed) return;
      this.emit('connected', { reconnect: true });
      this.sync();
    };
    this.nes.onDisconnect = (willReconnect) => this.emit('disconnected', { willReconnect });
    this.nes.onError = (err) => this.handleError(err);
  }

  on<K extends keyof RealtimeEvents>(type: K, listener: Listener<RealtimeEvents[K]>): () => void {
    const set = this.listeners.get(type) ?? new Set<Listener<unknown>>();
    this.listeners.set(type, set);
    set.add(listener as Listener<unknown>);
    return () => set.delete(listener as Listener<unknown>);
  }

  /**
   * Tells the client the app holds every message of this conversation up to `lastSeq`
   * (loaded by other means): catch-up and gap fetches resume there.
   */
  track(conversationId: number, lastSeq: number): void {
    this.sequencer.track(conversationId, lastSeq);
  }

  /** The seq up to which the app holds every message (undefined when unknown). */
  lastSeq(conversationId: number): number | undefined {
    return this.sequencer.contiguous(conversationId);
  }

  /** Loads a page of the conversation list and tracks what it returns. */
  async listConversations(options: Parameters<RelaisApi['listConversations']>[0] = {}) {
    const page = await this.api.listConversations(options);
    this.watermark ??= page.serverTime;
    for (const c of page.conversations) this.track(c.id, c.lastSeq);
    return page;
  }

  /** Loads messages (history or newer) and tracks the highest seq seen. */
  async listMessages(conversationId: number, page: Parameters<RelaisApi['listMessages']>[1] = {}) {
    const result = await this.api.listMessages(conversationId, page);
    for (const m of result.messages) this.sequencer.remember(m.id);
    const last = result.messages[result.messages.length - 1];
    if (last && !result.hasMoreAfter) this.track(conversationId, last.seq);
    return result;
  }

  /**
   * Sends through REST and emits the stored message as a `message` event (live), so that
   * the app renders its own messages from the same place as everyone else's; the echo on
   * the subscription is then dropped as a duplicate.
   */
  async sendMessage(
    conversationId: number,
    message: Parameters<RelaisApi['sendMessage']>[1],
  ): Promise<Message> {
    const stored = await this.api.sendMessage(conversationId, message);
    this.sequencer.receive(conversationId, stored, true);
    return stored;
  }

  /** Creates a conversation; emits `conversation` (created) and its first `message`. */
  async createConversation(input: Parameters<RelaisApi['createConversation']>[0]) {
    const created = await this.api.createConversation(input);
    this.handleEvent({ type: 'conversation.created', ...created });
    return created;
  }

  private readonly typingSent = new Map<number, number>();

  /**
   * Tells the other participants the user is typing: call it on every keystroke, it sends
   * at most once every 3 s per conversation, and never fails (typing is best effort).
   */
  typing(conversationId: number): void {
    const now = Date.now();
    if (now - (this.typingSent.get(conversationId) ?? 0) < 3000) return;
    this.typingSent.set(conversationId, now);
    this.nes.message({ type: 'typing', conversationId }).catch(() => undefined);
  }

  async connect(): Promise<void> {
    this.closed = false;
    if (this.accountId === null) this.accountId = (await this.api.me()).id;
    try {
      await this.nes.connect({
        auth: this.auth(),
        delay: this.options.reconnectDelay ?? 1000,
        maxDelay: this.options.maxReconnectDelay ?? 5000,
        timeout: 10_000,
      });
      await this.nes.subscribe(`/users/${this.accountId}`, (update) =>
        // A file's URLs are paths on the server: absolute for an intranet page (./urls.ts).
        this.handleEvent(withAbsoluteFileUrls(update as ServerEvent, this.options.baseUrl)),
      );
    } catch (err) {
      // nes keeps retrying a failed first connection in the background, without our
      // subscription: stop it, so that the app's own retry (connect() again) starts clean.
      await this.nes.disconnect().catch(() => undefined);
      this.handleError(err as NesError);
      throw err;
    }
    this.subscribed = true;
    this.emit('connected', { reconnect: this.restarting });
    await this.sync();
  }

  /** After `expired`: a fresh token; reconnects, then catches up. */
  async reauthenticate(token: string): Promise<void> {
    this.api.setToken(token);
    if (this.nes.overrideReconnectionAuth(this.auth())) {
      // Still reconnecting (the refusal came from a request, not the hello): next try uses it.
      return;
    }
    await this.nes.disconnect();
    this.subscribed = false;
    await this.connect();
  }

  async disconnect(): Promise<void> {
    this.subscribed = false;
    this.closed = true;
    for (const timer of [this.retryTimer, this.restartTimer]) if (timer) clearTimeout(timer);
    this.retryTimer = this.restartTimer = null;
    await this.flushAcks();
    await this.nes.disconnect();
  }

  /**
   * Runs a catch-up now (done by itself after every reconnection and on `sync.required`;
   * an app may call it when the page becomes visible or the network comes back).
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.resyncRequested = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.resyncRequested = false;
          await this.catchUp();
        } while (this.resyncRequested);
        this.retries = 0;
      } catch (err) {
        this.emit('error', err as Error);
        this.retryLater(err);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private auth() {
    return { headers: { authorization: `Bearer ${this.api.getToken()}` } };
  }

  /** Tries a failed catch-up again later (backoff), unless one happens before. */
  private retryLater(err: unknown): void {
    // A refused token is the app's to renew (onUnauthorized); reauthenticate() syncs.
    if (err instanceof ApiError && err.status === 401) return;
    if (this.retryTimer || this.closed) return;
    const delay = Math.min((this.options.reconnectDelay ?? 1000) * 2 ** this.retries, MAX_RETRY_MS);
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) void this.sync();
    }, delay);
  }

  private async catchUp(): Promise<void> {
    // Gaps whose fetch failed earlier first: those messages are held back from the app.
    let messages = 0;
    for (const id of this.sequencer.waiting()) messages += await this.sequencer.fill(id);
    if (!this.watermark) {
      // Nothing loaded yet: only start the watermark from the server's clock.
      const page = await this.api.listConversations({ limit: 1 });
      this.watermark = page.serverTime;
      return;
    }
    const margin = (this.options.watermarkMarginSeconds ?? 5) * 1000;
    const since = new Date(Date.parse(this.watermark) - margin).toISOString();
    let cursor: string | undefined;
    let nextWatermark: string | null = null;
    let conversations = 0;
    do {
      const page = await this.api.listConversations({ activeSince: since, cursor, limit: 50 });
      nextWatermark ??= page.serverTime;
      cursor = page.nextCursor ?? undefined;
      for (const summary of page.conversations) {
        conversations++;
        const held = this.sequencer.contiguous(summary.id);
        if (held === undefined) {
          // New to this client (created or joined while away): the app decides to open it.
          this.track(summary.id, summary.lastSeq);
          this.emit('conversation', { conversation: summary, reason: 'catch-up' });
          continue;
        }
        this.emit('conversation', { conversation: summary, reason: 'catch-up' });
        // From the contiguous seq, read now: a live event that arrived during the list
        // request does not move it past what is missing.
        if (summary.lastSeq > held) messages += await this.sequencer.fill(summary.id);
      }
    } while (cursor);
    this.watermark = nextWatermark;
    this.emit('synced', { conversations, messages });
  }

  private handleEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'conversation.created':
        if (!this.sequencer.has(event.conversation.id)) {
          this.track(event.conversation.id, 0);
          this.emit('conversation', { conversation: event.conversation, reason: 'created' });
        }
        this.sequencer.receive(event.conversation.id, event.message, true);
        break;
      case 'message.created':
        this.sequencer.receive(event.conversationId, event.message, true);
        break;
      case 'attachment.updated':
        // A message still held back (waiting for a gap) gets the new view before it is emitted.
        if (event.conversationId !== null && event.messageId !== null) {
          this.sequencer.updateAttachment(event.conversationId, event.messageId, event.attachment);
        }
        this.emit('attachment', event);
        break;
      case 'attachment.removed':
        if (event.conversationId !== null) {
          this.sequencer.removeAttachment(
            event.conversationId,
            event.messageId,
            event.attachmentId,
          );
        }
        this.emit('attachmentRemoved', event);
        break;
      case 'sync.required':
        // The server lost events (its Redis went away): what they carried is fetched.
        void this.sync();
        break;
      case 'access.changed':
        this.emit('access', {});
        break;
      case 'read.updated':
        this.emit('read', event);
        break;
      case 'typing':
        this.emit('typing', event);
        break;
      case 'participants.changed':
        // Joined just now: the history before is the app's to load, not a gap.
        if (!this.sequencer.has(event.conversation.id)) {
          this.track(event.conversation.id, event.conversation.lastSeq);
        }
        this.emit('participants', event);
        this.emit('conversation', { conversation: event.conversation, reason: 'participants' });
        break;
    }
  }

  private acknowledge(conversationId: number, seq: number): void {
    const delay = this.options.deliveryAckMs ?? 250;
    if (delay <= 0) return;
    this.acks.set(conversationId, Math.max(seq, this.acks.get(conversationId) ?? 0));
    this.ackTimer ??= setTimeout(() => void this.flushAcks(), delay);
  }

  private async flushAcks(): Promise<void> {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const batch = [...this.acks];
    this.acks.clear();
    // A receipt that fails (network, access lost) is not retried: the next one covers it.
    await Promise.all(
      batch.map(([id, seq]) => this.api.markDelivered(id, seq).catch(() => undefined)),
    );
  }

  private handleError(err: NesError): void {
    // A refused hello (401) stops nes's reconnection for good: surface it.
    if (err?.type === 'server' && (err.statusCode === 401 || err.statusCode === 403)) {
      this.emit('expired', { statusCode: err.statusCode, message: err.message });
      return;
    }
    // Any other refused hello (a node still starting…) stops nes's reconnection too, but
    // only credentials are final: reconnect by ourselves.
    if (err?.type === 'server' && this.subscribed) this.restart(0);
    this.emit('error', err);
  }

  private restart(attempt: number): void {
    if (this.restartTimer || this.closed) return;
    const delay = Math.min(
      (this.options.reconnectDelay ?? 1000) * 2 ** attempt,
      this.options.maxReconnectDelay ?? 5000,
    );
    this.subscribed = false;
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = null;
      if (this.closed) return;
      this.restarting = true;
      try {
        await this.connect();
      } catch (err) {
        const status = (err as NesError)?.statusCode;
        if (status !== 401 && status !== 403) this.restart(attempt + 1);
      } finally {
        this.restarting = false;
      }
    }, delay);
  }

  private emit<K extends keyof RealtimeEvents>(type: K, payload: RealtimeEvents[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as Listener<RealtimeEvents[K]>)(payload);
      } catch (err) {
        if (type !== 'error') this.emit('error', err as Error);
      }
    }
  }
}
