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
