import type {
  Conversation,
  ConversationPage,
  ConversationSummary,
  ExistingConversation,
  Message,
  MessagePage,
  NewConversationInput,
  ParticipantRef,
  ReadMarker,
} from './types';
import { withAbsoluteFileUrls } from './urls';

/** A refused API call: HTTP status, message, and the offending field for a 400. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiOptions {
  /** Origin of the Relais server, e.g. https://relais.example (no trailing slash). */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Called when the server refuses the token (401): the app signs in again. */
  onUnauthorized?: () => void;
  /** Attempts for idempotent sends when the network fails (default 3). */
  sendAttempts?: number;
}

/**
 * A UUID v4 for a message id. `crypto.randomUUID` exists only in secure contexts (https,
 * localhost); an intranet page served over plain http still has getRandomValues.
 */
export function newId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Query = Record<string, string | number | boolean | Array<string | number> | undefined | null>;

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * REST calls of the conversation API with the bearer token. Framework-free: the web
 * components use it through their controllers, and tests and bots use it from Node.
 */
export class RelaisApi {
  private token: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiOptions) {
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  setToken(token: string): void {
    this.token = token;
  }

  getToken(): string {
    return this.token;
  }

  async request<T>(method: string, path: string, payload?: unknown): Promise<T> {
    const res = await this.fetchImpl(`${this.options.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: payload !== undefined ? JSON.stringify(payload) : undefined,
    });
    if (res.status === 204) return undefined as T;
    const body = (await res.json().catch(() => null)) as
      | (T & { message?: string; field?: string })
      | null;
    if (!res.ok) {
      if (res.status === 401) this.options.onUnauthorized?.();
      throw new ApiError(res.status, body?.message ?? res.statusText, body?.field ?? null);
    }
    // A file's URLs are paths on the server: absolute for an intranet page (./urls.ts).
    return withAbsoluteFileUrls(body, this.options.baseUrl) as T;
  }

  me() {
    return this.request<{
      id: number;
      firstName: string;
      structures: Array<{ id: number; name: string }>;
    }>('GET', '/api/me');
  }

  listConversations(
    options: {
      limit?: number;
      cursor?: string;
      patientIns?: string;
      patientReference?: string;
      structureId?: number;
      activeSince?: string;
    } = {},
  ) {
    return this.request<ConversationPage>('GET', `/api/conversations${queryString(options)}`);
  }

  getConversation(id: number) {
    return this.request<ConversationSummary>('GET', `/api/conversations/${id}`);
  }

  /** Creates a conversation; safe to retry (the first message id makes it idempotent). */
  createConversation(input: NewConversationInput) {
    const payload = { ...input, message: { ...input.message, id: input.message.id ?? newId() } };
    return this.retrying(() =>
      this.request<{ conversation: Conversation; message: Message }>(
        'POST',
        '/api/conversations',
        payload,
      ),
    );
  }

  /** S17: conversations with exactly these participants (plus the signed-in user). */
  findExisting(
    recipients: ParticipantRef[],
    options: { onBehalfOf?: number; patientIns?: string; patientReference?: string } = {},
  ) {
    const by = (kind: string) => recipients.filter((r) => r.kind === kind).map((r) => r.id);
    return this.request<{ count: number; conversations: ExistingConversation[] }>(
      'GET',
      `/api/conversations/existing${queryString({
        professional: by('professional'),
        structure: by('structure'),
        account: by('account'),
        ...options,
      })}`,
    );
  }

  listMessages(
    conversationId: number,
    page: { before?: number; after?: number; limit?: number } = {},
  ) {
    return this.request<MessagePage>(
      'GET',
      `/api/conversations/${conversationId}/messages${queryString(page)}`,
    );
  }

  /** Sends a message; retried on network failure with the same id, so never duplicated. */
  sendMessage(
    conversationId: number,
    message: { id?: string; body: string; onBehalfOf?: number | null },
  ) {
    const payload = { ...message, id: message.id ?? newId() };
    return this.retrying(() =>
      this.request<Message>('POST', `/api/conversations/${conversationId}/messages`, payload),
    );
  }

  markRead(conversationId: number, seq: number) {
    return this.request<{ lastReadSeq: number; lastDeliveredSeq: number; unreadCount: number }>(
      'POST',
      `/api/conversations/${conversationId}/read`,
      { seq },
    );
  }

  /** Delivery receipt: this client received the conversation up to `seq`. */
  markDelivered(conversationId: number, seq: number) {
    return this.request<{ lastReadSeq: number; lastDeliveredSeq: number; unreadCount: number }>(
      'POST',
      `/api/conversations/${conversationId}/delivered`,
      { seq },
    );
  }

  readMarkers(conversationId: number) {
    return this.request<{ readers: ReadMarker[] }>(
      'GET',
      `/api/conversations/${conversationId}/reads`,
    );
  }

  /** Receipts of one message: who read it, who received it (its sender left out). */
  messageReaders(conversationId: number, messageId: string) {
    return this.request<{ readBy: ReadMarker[]; deliveredTo: ReadMarker[] }>(
      'GET',
      `/api/conversations/${conversationId}/messages/${messageId}/reads`,
    );
  }

  addParticipants(conversationId: number, recipients: ParticipantRef[]) {
    return this.request<{ conversation: Conversation; added: ParticipantRef[] }>(
      'POST',
      `/api/conversations/${conversationId}/participants`,
      { recipients },
    );
  }

  leave(conversationId: number, onBehalfOf?: number) {
    return this.request<void>('POST', `/api/conversations/${conversationId}/leave`, {
      onBehalfOf: onBehalfOf ?? null,
    });
  }

  /** Retries network failures (not HTTP errors): only for idempotent calls. */
  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    const attempts = this.options.sendAttempts ?? 3;
    for (let i = 1; ; i++) {
      try {
        return await call();
      } catch (err) {
        if (err instanceof ApiError || i >= attempts) throw err;
        await new Promise((r) => setTimeout(r, 200 * i));
      }
    }
  }
}
