import type {
  ConversationRecord,
  ConversationSummary,
  ExistingConversation,
} from '../../domain/conversations';
import { presentMessage, type Viewer } from './message';

/** A conversation of the list (S1), with its last message presented for the reader. */
export function presentSummary(summary: ConversationSummary, viewer: Viewer) {
  return {
    ...summary,
    lastMessage: summary.lastMessage ? presentMessage(summary.lastMessage, viewer) : null,
  };
}

/** A conversation without per-reader state (creation, participant changes). */
export function presentConversation(conversation: ConversationRecord) {
  return conversation;
}

export function presentExisting(existing: ExistingConversation[]) {
  return { count: existing.length, conversations: existing };
}
