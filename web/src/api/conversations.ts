/** Conversation shapes as the UI reads them (see server/routes/conversations). */
export interface ConversationSummary {
  id: number;
  subject: string;
  updatedAt?: string;
  lastMessageAt?: string | null;
  unreadCount?: number;
}
