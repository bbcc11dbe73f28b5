/**
 * The directory API as the recipient picker reads it (server/routes/directory, issue 3).
 * The entry shapes are the domain's own (type-only imports: nothing of the server is bundled).
 */
import type {
  DirectoryEntry,
  ProfessionalEntry,
  StructureEntry,
} from '../../../domain/directory/entries';
import type { AccountStatus } from '../../../domain/directory/statuses';
import type { RelaisSession } from '../session/session';
import type { ParticipantRef } from './conversations';

export type { Place } from '../../../domain/directory/entries';
export type { AccountStatus, DirectoryEntry, ProfessionalEntry, StructureEntry };

export interface SearchFilters {
  name?: string;
  profession?: string;
  place?: string;
}

export interface SearchResult {
  favourites: DirectoryEntry[];
  items: DirectoryEntry[];
  page: number;
  pageSize: number;
  hasMore: boolean;
  unresolved: ('profession' | 'place')[];
}

export interface Suggestion {
  kind: string;
  value: string;
  label: string;
  departement?: string;
}

export interface StructureMember {
  accountId: number;
  professionalId: number | null;
  firstName: string;
  lastName: string;
  profession: string | null;
  role: 'member' | 'manager';
  status: 'active' | 'inactive';
  /** False: attached, but its identity (an invitation-made account) is not verified yet. */
  identityVerified?: boolean;
  /** 'bot': an automated account attached to the structure ("Automatisé"). */
  kind?: 'person' | 'bot';
}

export interface GroupSummary {
  id: number;
  name: string;
  memberCount: number;
}

export interface GroupDetail extends GroupSummary {
  members: DirectoryEntry[];
}

/** The conversation API's reference to a directory entry. */
export function refOf(entry: DirectoryEntry): ParticipantRef {
  return { kind: entry.kind, id: entry.id };
}

export const entryKey = (e: { kind: string; id: number }) => `${e.kind}:${e.id}`;

/** "Claire MARTIN" for a person, the name for a structure. */
export function entryName(e: DirectoryEntry): string {
  return e.kind === 'structure' ? e.name : [e.firstName, e.lastName].filter(Boolean).join(' ');
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

export const directoryApi = {
  search(session: RelaisSession, filters: SearchFilters & { page?: number }, signal?: AbortSignal) {
    return session.get<SearchResult>(`/api/directory/search?${qs({ ...filters })}`, signal);
  },
  suggest(
    session: RelaisSession,
    field: 'professions' | 'places',
    q: string,
    signal?: AbortSignal,
  ) {
    return session.get<{ items: Suggestion[] }>(
      `/api/directory/suggest/${field}?${qs({ q, limit: 8 })}`,
      signal,
    );
  },
  members(session: RelaisSession, structureId: number) {
    return session.get<{ structure: StructureEntry; members: StructureMember[] }>(
      `/api/directory/structures/${structureId}/members`,
    );
  },
  setFavourite(session: RelaisSession, entry: DirectoryEntry, favourite: boolean) {
    return session.request<void>(
      favourite ? 'PUT' : 'DELETE',
      `/api/directory/favourites/${entry.kind}/${entry.id}`,
    );
  },
  groups(session: RelaisSession) {
    return session.get<{ items: GroupSummary[] }>('/api/directory/groups');
  },
  groupRecipients(session: RelaisSession, groupId: number) {
    return session.get<{ items: DirectoryEntry[] }>(`/api/directory/groups/${groupId}/recipients`);
  },
  createGroup(session: RelaisSession, name: string, members: DirectoryEntry[]) {
    return session.request<GroupDetail>('POST', '/api/directory/groups', {
      name,
      members: members.map((m) => ({ kind: m.kind, id: m.id })),
    });
  },
  renameGroup(session: RelaisSession, groupId: number, name: string) {
    return session.request<GroupDetail>('PATCH', `/api/directory/groups/${groupId}`, { name });
  },
  deleteGroup(session: RelaisSession, groupId: number) {
    return session.request<void>('DELETE', `/api/directory/groups/${groupId}`);
  },
};
