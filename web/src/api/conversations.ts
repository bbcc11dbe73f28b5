import type { RelaisSession } from '../session/session';

/**
 * The conversation API as the UI reads it (server/routes/conversations, issue 4).
 * Dates are ISO strings; message bodies are plain text, always rendered as text.
 */
export type ParticipantKind = 'professional' | 'structure' | 'account';

export interface ParticipantRef {
  kind: ParticipantKind;
  id: number;
}

export interface ParticipantView extends ParticipantRef {
  name: string;
  firstName: string | null;
  lastName: string | null;
  profession: string | null;
  city: string | null;
  /** People: S10 account status. */
  accountStatus: 'active' | 'inactive' | 'none' | null;
  /** Structures: attached accounts (0: may go unanswered, S13). */
  members: number | null;
  addedAt: string;
}

export interface InsIdentity {
  matricule: string;
  oid?: string | null;
  birthName: string;
  firstName: string;
  birthDate: string;
  sex: 'M' | 'F' | 'I';
}

export type Patient = { ins: InsIdentity } | { reference: string };

export interface Message {
  id: string;
  conversationId: number;
  seq: number;
  body: string;
  createdAt: string;
  sender: { accountId: number; firstName: string; lastName: string } | null;
  structure: { id: number; name: string } | null;
  mine?: boolean;
  sentAt?: { date: string; time: string; timeZone: string };
}

export interface Conversation {
  id: number;
  subject: string;
  patient: Patient | null;
  createdAt: string;
  lastActivityAt: string;
  lastSeq: number;
  participants: ParticipantView[];
}

export interface ConversationSummary extends Conversation {
  lastMessage: Message | null;
  lastReadSeq: number;
  unreadCount: number;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
  serverTime: string;
}

export interface MessagePage {
  messages: Message[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
  lastSeq: number;
  lastReadSeq: number;
}

export interface ReadMarker {
  accountId: number;
  firstName: string;
  lastName: string;
  lastReadSeq: number;
  readAt: string | null;
  /** Received by this reader's devices up to here (delivery receipts; ≥ lastReadSeq). */
  lastDeliveredSeq?: number;
  deliveredAt?: string | null;
}

export interface ExistingConversation {
  id: number;
  subject: string;
  lastActivityAt: string;
  patient: Patient | null;
}

export interface NewConversationInput {
  subject: string;
  patient?: { ins: InsIdentity } | { reference: string } | null;
  recipients: ParticipantRef[];
  message: { id: string; body: string };
  onBehalfOf?: number | null;
}

/** A v4 UUID for client-generated message ids (retries are then idempotent). */
export function newMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Plain-http intranets are not secure contexts: no randomUUID, but getRandomValues works.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const conversationsApi = {
  list(
    session: RelaisSession,
    query: { cursor?: string; limit?: number } = {},
    signal?: AbortSignal,
  ) {
    const params = new URLSearchParams();
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    const qs = params.toString();
    return session.get<ConversationPage>(`/api/conversations${qs ? `?${qs}` : ''}`, signal);
  },
  get(session: RelaisSession, id: number, signal?: AbortSignal) {
    return session.get<ConversationSummary>(`/api/conversations/${id}`, signal);
  },
  messages(
    session: RelaisSession,
    id: number,
    query: { before?: number; after?: number; limit?: number } = {},
    signal?: AbortSignal,
  ) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return session.get<MessagePage>(
      `/api/conversations/${id}/messages${qs ? `?${qs}` : ''}`,
      signal,
    );
  },
  send(
    session: RelaisSession,
    id: number,
    body: string,
    onBehalfOf: number | null,
    messageId = newMessageId(),
  ) {
    return session.request<Message>('POST', `/api/conversations/${id}/messages`, {
      id: messageId,
      body,
      onBehalfOf,
    });
  },
  create(session: RelaisSession, input: NewConversationInput) {
    return session.request<{ conversation: Conversation; message: Message }>(
      'POST',
      '/api/conversations',
      input,
    );
  },
  markRead(session: RelaisSession, id: number, seq: number) {
    return session.request<{ lastReadSeq: number; unreadCount: number }>(
      'POST',
      `/api/conversations/${id}/read`,
      { seq },
    );
  },
  reads(session: RelaisSession, id: number, signal?: AbortSignal) {
    return session.get<{ readers: ReadMarker[] }>(`/api/conversations/${id}/reads`, signal);
  },
  existing(
    session: RelaisSession,
    recipients: ParticipantRef[],
    onBehalfOf?: number | null,
    signal?: AbortSignal,
  ) {
    const params = new URLSearchParams();
    for (const r of recipients) params.append(r.kind, String(r.id));
    if (onBehalfOf) params.set('onBehalfOf', String(onBehalfOf));
    return session.get<{ count: number; conversations: ExistingConversation[] }>(
      `/api/conversations/existing?${params}`,
      signal,
    );
  },
};
