import type { RelaisSession } from '../session/session';
import type { DirectoryEntry } from './directory';

/** Invitations (S14–S16) as the UI uses them (server/routes/invitations, issue 6). */
export interface InvitationInput {
  professionalId?: number;
  structureId?: number;
  channel: 'email' | 'sms';
  /** Omitted: the contact details of the directory. */
  address?: string;
  locale: 'fr' | 'en';
  note?: string;
  conversationId?: number;
}

export interface Invitation {
  id: number;
  status: string;
  channel: 'email' | 'sms';
}

/** Whom to invite: a directory entry, or a conversation participant. */
export interface InviteTarget {
  kind: 'professional' | 'structure';
  id: number;
  name?: string;
  firstName?: string | null;
  lastName?: string | null;
}

export function targetName(t: InviteTarget): string {
  return t.name || [t.firstName, t.lastName].filter(Boolean).join(' ');
}

/** People without an account or silent for 30 days, and structures nobody answers for. */
export function needsInvitation(entry: DirectoryEntry): boolean {
  return entry.kind === 'professional'
    ? entry.status === 'none' || entry.status === 'inactive'
    : entry.memberCount === 0;
}

export const invitationsApi = {
  create(session: RelaisSession, input: InvitationInput) {
    return session.request<Invitation>('POST', '/api/invitations', input);
  },
};
