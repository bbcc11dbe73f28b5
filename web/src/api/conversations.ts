import { newId } from '../client/rest';
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
} from '../client/types';
import type { RelaisSession } from '../session/session';

export { newId as newMessageId } from '../client/rest';
/**
 * The conversation API as the UI reads it (server/routes/conversations, issue 4).
 * Dates are ISO strings; message bodies are plain text, always rendered as text.
 */
// The shapes are the client library's (web/src/client/types.ts), declared once.
export type {
  AttachmentView,
  Conversation,
  ConversationPage,
  ConversationSummary,
  ExistingConversation,
  InsIdentity,
  Message,
  MessagePage,
  NewConversationInput,
  Participant as ParticipantView,
  ParticipantKind,
  ParticipantRef,
  Patient,
  ReadMarker,
} from '../client/types';

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
  /** `attachments`: upload ids (docs/attachments.md), in display order; sent when any. */
  send(
    session: RelaisSession,
    id: number,
    body: string,
    onBehalfOf: number | null,
    messageId = newId(),
    attachments: string[] = [],
  ) {
    return session.request<Message>('POST', `/api/conversations/${id}/messages`, {
      id: messageId,
      body,
      onBehalfOf,
      ...(attachments.length ? { attachments } : {}),
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
