import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import { loadEntries, type StructureEntry, type Viewer } from './entries';
import { type AccountStatus, accountStatusSql } from './statuses';

/**
 * The people attached to a structure for the chat (S12): they read and answer on its
 * behalf. `structure.nobodyAttached` is the S13 warning flag.
 */
export interface StructureMemberEntry {
  accountId: number;
  professionalId: number | null;
  firstName: string;
  lastName: string;
  profession: string | null;
  role: 'member' | 'manager';
  status: Exclude<AccountStatus, 'invited' | 'none'>;
  /** False: attached, but who they are is not confirmed yet ("identité non vérifiée"). */
  identityVerified: boolean;
  /** 'bot': a bot answering for the structure (issue 12), shown with its badge. */
  kind: 'person' | 'bot';
}

export async function listStructureMembers(
  db: Knex,
  viewer: Viewer,
  structureId: number,
): Promise<{ structure: StructureEntry; members: StructureMemberEntry[] }> {
  const [structure] = await loadEntries(db, viewer, [{ kind: 's', id: structureId }]);
  if (structure?.kind !== 'structure') throw Boom.notFound('No such structure');
  const { rows } = await db.raw(
    `SELECT a.id AS account_id, a.professional_id,
       coalesce(nullif(a.first_name, ''), p.first_name, '') AS first_name,
       coalesce(nullif(a.last_name, ''), p.last_name, '') AS last_name,
       p.profession_label, m.role, a.identity_verified, a.kind, ${accountStatusSql('a', viewer.inactivityDays)} AS status
     FROM structure_members m JOIN accounts a ON a.id = m.account_id
     LEFT JOIN professionals p ON p.id = a.professional_id
     WHERE m.structure_id = ?
     ORDER BY lower(coalesce(nullif(a.last_name, ''), p.last_name, '')), a.id`,
    [structureId],
  );
  return {
    structure,
    members: rows.map(
      (r: Record<string, never>): StructureMemberEntry => ({
        accountId: r.account_id,
        professionalId: r.professional_id,
        firstName: r.first_name,
        lastName: r.last_name,
        profession: r.profession_label,
        role: r.role,
        status: r.status,
        identityVerified: r.identity_verified,
        kind: r.kind,
      }),
    ),
  };
}
