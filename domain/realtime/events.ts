import type { AttachmentRecord } from '../attachments/types';
import type { ParticipantRef } from '../conversations/participants';
import type { ConversationRecord, MessageRecord } from '../conversations/records';

/**
 * The events a signed-in user receives on their one subscription, `/users/{accountId}`.
 * Domain functions publish them after their transaction commits; every server node relays
 * them to its own sockets (see server/plugins/realtime.ts), each presented for its reader.
 */
export type RealtimeEvent =
  | {
      type: 'conversation.created';
      conversation: ConversationRecord;
      message: MessageRecord;
    }
  | { type: 'message.created'; conversationId: number; message: MessageRecord }
  /**
   * A file was processed (issue 11): ready, or refused (the sender alone hears of a
   * refused file, or of one not sent yet). The client replaces it in its message.
   */
  | {
      type: 'attachment.updated';
      conversationId: number | null;
      messageId: string | null;
      attachment: AttachmentRecord;
    }
  | {
      type: 'read.updated';
      conversationId: number;
      reader: { accountId: number; firstName: string; lastName: string };
      lastReadSeq: number;
      readAt: string;
      lastDeliveredSeq: number;
      deliveredAt: string | null;
    }
  | {
      type: 'typing';
      conversationId: number;
      reader: { accountId: number; firstName: string; lastName: string };
    }
  | {
      type: 'participants.changed';
      conversation: ConversationRecord;
      added: ParticipantRef[];
      removed: ParticipantRef[];
    }
  /**
   * What this account may read changed other than by a conversation's participants: its
   * identity was verified, it was approved into, attached to or detached from a structure.
   * Conversations it can now read may be old (the catch-up lists only recent activity),
   * and some it could read may be gone: the client reloads its list from scratch.
   */
  | { type: 'access.changed' }
  /**
   * Sent by a node to its own sockets, never through Redis: its subscription to the events
   * channel was lost and is back, so events published meanwhile never reached it. The
   * client runs its catch-up, as after a reconnection.
   */
  | { type: 'sync.required' };

/** What goes through Redis: the event and the accounts it is for. */
export interface Envelope {
  audience: number[];
  event: RealtimeEvent;
}
