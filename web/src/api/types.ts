/** Shapes of the Relais REST API as the web components read them. */
export interface Account {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  locale: string | null;
  timeZone: string | null;
  professionalId: number | null;
  isAdmin: boolean;
  /** False until an administrator confirms who an invitation-made account is. */
  identityVerified?: boolean;
}

export interface MemberStructure {
  id: number;
  name: string;
  city: string | null;
  role: string;
}

export interface Me extends Account {
  structures: MemberStructure[];
}

export interface SessionGrant {
  token: string;
  expiresAt: string;
  account: Account;
}

import type { Conversation, ConversationSummary, Message, ReadMarker } from './conversations';

/**
 * What the elements of a session hear from the realtime link (session/realtime.ts), after
 * the realtime client has de-duplicated messages and caught up after reconnections.
 */
export type RealtimeEvent =
  | { type: 'message'; conversationId: number; message: Message; live: boolean }
  | {
      type: 'conversation';
      conversation: Conversation | ConversationSummary;
      reason: 'created' | 'participants' | 'catch-up';
    }
  /** What the account may read changed: lists reload, an open conversation re-checks. */
  | { type: 'access' }
  | ({ type: 'read'; conversationId: number } & Omit<
      ReadMarker,
      'accountId' | 'firstName' | 'lastName'
    > & {
        reader: { accountId: number; firstName: string; lastName: string };
      });
