import * as NesModule from '@hapi/nes/lib/client';
import { type ApiOptions, RelaisApi } from './rest';
import type { Conversation, ConversationSummary, Message, ServerEvent } from './types';

/**
 * The realtime side of the client: one nes connection, one subscription (the user's own
 * path), and the guarantee the app relies on — every message arrives once:
 *
 * - nes replays nothing after a reconnect, so after every (re)connection the client asks
 *   the server what changed since its watermark (`GET /api/conversations?activeSince=`)
 *   and fetches, for each conversation it knows, the messages after the last seq it has
 *   (`GET …/messages?after=`); events arriving meanwhile are merged;
 * - messages are de-duplicated by id;
 * - when the server refuses the token (expired or revoked while disconnected), nes stops
 *   reconnecting: the client emits `expired` and waits for `reauthenticate(token)`.
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
  connected: { reconnect: boolean };
  disconnected: { willReconnect: boolean };
  /** The server refused the credentials: call reauthenticate() with a fresh token. */
  expired: { statusCode: number; message: string };
  /** Catch-up after a (re)connection finished. */
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

const SEEN_LIMIT = 10_000;

export class RealtimeClient {
  readonly api: RelaisApi;
  private readonly nes: NesClientInstance;
  private readonly listeners = new Map<keyof RealtimeEvents, Set<Listener<unknown>>>();
  /** Last seq the app has for each conversation it knows. */
  private readonly known = new Map<number, number>();
  private readonly seen = new Set<string>();
  private watermark: string | null = null;
  private accountId: number | null;
  private subscribed = false;
  private syncing: Promise<void> | null = null;
  private resyncRequested = false;
  /** Delivery receipts waiting to be sent: conversation → highest seq received. */
  private readonly acks = new Map<number, number>();
  private ackTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: RealtimeOptions) {
    this.api = new RelaisApi({
      ...options,
      onUnauthorized: () => {
        options.onUnauthorized?.();
      },
    });
    this.accountId = options.accountId ?? null;
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

  /** Tells the client the app holds this conversation up to `lastSeq` (catch-up resumes there). */
  track(conversationId: number, lastSeq: number): void {
    this.known.set(conversationId, Math.max(lastSeq, this.known.get(conversationId) ?? 0));
  }

  /** The last seq known for a conversation (undefined when unknown). */
  lastSeq(conversationId: number): number | undefined {
    return this.known.get(conversationId);
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
    const last = result.messages[result.messages.length - 1];
    if (last && !result.hasMoreAfter) this.track(conversationId, last.seq);
    for (const m of result.messages) this.remember(m.id);
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
    this.deliver(conversationId, stored, true);
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
    if (this.accountId === null) this.accountId = (await this.api.me()).id;
    try {
      await this.nes.connect({
        auth: this.auth(),
        delay: this.options.reconnectDelay ?? 1000,
        maxDelay: this.options.maxReconnectDelay ?? 5000,
        timeout: 10_000,
      });
      await this.nes.subscribe(`/users/${this.accountId}`, (update) =>
        this.handleEvent(update as ServerEvent),
      );
    } catch (err) {
      // nes keeps retrying a failed first connection in the background, without our
      // subscription: stop it, so that the app's own retry (connect() again) starts clean.
      await this.nes.disconnect().catch(() => undefined);
      this.handleError(err as NesError);
      throw err;
    }
    this.subscribed = true;
    this.emit('connected', { reconnect: false });
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
    await this.flushAcks();
    await this.nes.disconnect();
  }

  /** Runs a catch-up now (also done automatically after every reconnection). */
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
      } catch (err) {
        this.emit('error', err as Error);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private auth() {
    return { headers: { authorization: `Bearer ${this.api.getToken()}` } };
  }

  private async catchUp(): Promise<void> {
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
    let messages = 0;
    do {
      const page = await this.api.listConversations({ activeSince: since, cursor, limit: 50 });
      nextWatermark ??= page.serverTime;
      cursor = page.nextCursor ?? undefined;
      for (const summary of page.conversations) {
        conversations++;
        const knownSeq = this.known.get(summary.id);
        if (knownSeq === undefined) {
          // New to this client (created or joined while away): the app decides to open it.
          this.track(summary.id, summary.lastSeq);
          this.emit('conversation', { conversation: summary, reason: 'catch-up' });
          continue;
        }
        this.emit('conversation', { conversation: summary, reason: 'catch-up' });
        if (summary.lastSeq > knownSeq) messages += await this.fetchAfter(summary.id, knownSeq);
      }
    } while (cursor);
    this.watermark = nextWatermark;
    this.emit('synced', { conversations, messages });
  }

  private async fetchAfter(conversationId: number, after: number): Promise<number> {
    let count = 0;
    let from = after;
    for (;;) {
      const page = await this.api.listMessages(conversationId, { after: from, limit: 200 });
      for (const message of page.messages) {
        if (this.deliver(conversationId, message, false)) count++;
        from = message.seq;
      }
      if (!page.hasMoreAfter || page.messages.length === 0) return count;
    }
  }

  private handleEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'conversation.created':
        if (!this.known.has(event.conversation.id)) {
          this.known.set(event.conversation.id, 0);
          this.emit('conversation', { conversation: event.conversation, reason: 'created' });
        }
        this.deliver(event.conversation.id, event.message, true);
        break;
      case 'message.created':
        this.deliver(event.conversationId, event.message, true);
        break;
      case 'read.updated':
        this.emit('read', event);
        break;
      case 'typing':
        this.emit('typing', event);
        break;
      case 'participants.changed':
        this.known.set(event.conversation.id, this.known.get(event.conversation.id) ?? 0);
        this.emit('participants', event);
        this.emit('conversation', { conversation: event.conversation, reason: 'participants' });
        break;
    }
  }

  /** Emits a message unless already delivered; returns whether it was new. */
  private deliver(conversationId: number, message: Message, live: boolean): boolean {
    if (this.seen.has(message.id)) return false;
    this.remember(message.id);
    this.track(conversationId, message.seq);
    this.emit('message', { conversationId, message, live });
    if (!message.mine) this.acknowledge(conversationId, message.seq);
    return true;
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

  private remember(id: string): void {
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

  private handleError(err: NesError): void {
    // A refused hello (401) stops nes's reconnection for good: surface it.
    if (err?.type === 'server' && (err.statusCode === 401 || err.statusCode === 403)) {
      this.emit('expired', { statusCode: err.statusCode, message: err.message });
      return;
    }
    this.emit('error', err);
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
