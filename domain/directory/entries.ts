import type { Knex } from 'knex';
import { type AccountStatus, professionalStatusSql } from './statuses';

/**
 * What the recipient picker shows for an entry: a person with profession, speciality,
 * places of practice and account status; a structure with its attached members (S11) and
 * whether the viewer is one; both with whether they are the viewer's favourite.
 *
 * Everything is read by one prepared statement over a list of refs (`entriesSql`): for a
 * page of 20, planning a fresh statement each time would cost more than running it.
 */
export interface Place {
  structureId: number;
  name: string | null;
  city: string | null;
  postcode: string | null;
  departement: string | null;
}

export interface ProfessionalEntry {
  kind: 'professional';
  id: number;
  professionalId: number;
  nationalId: string;
  civility: string | null;
  lastName: string;
  firstName: string;
  profession: { code: string | null; label: string | null };
  speciality: { code: string | null; label: string | null } | null;
  places: Place[];
  status: AccountStatus;
  inDirectory: boolean;
  favourite: boolean;
}

export interface StructureEntry {
  kind: 'structure';
  id: number;
  structureKey: string;
  name: string;
  city: string | null;
  postcode: string | null;
  departement: string | null;
  sector: string | null;
  /** FINESS category when enriched from the etalab file ("Centre Hospitalier (C.H.)"…). */
  category: string | null;
  /** Accounts attached to the structure for the chat (S11: > 0 is shown in bold). */
  memberCount: number;
  /** S13: nobody would read a message sent to this structure. */
  nobodyAttached: boolean;
  isMember: boolean;
  inDirectory: boolean;
  favourite: boolean;
}

export type DirectoryEntry = ProfessionalEntry | StructureEntry;
export interface EntryRef {
  kind: 'p' | 's';
  id: number;
}

const MAX_PLACES = 5;

export interface Viewer {
  accountId: number;
  inactivityDays: number;
}

/**
 * Hydrates refs (`?` 1 and 2: kinds and ids, in order) for the viewer (`?` 3 to 5: the
 * viewer's account id). A named prepared statement (see loadEntries): its plan is the same
 * whatever the ids, so PostgreSQL plans it a few times per connection, then reuses it.
 * Rows whose entity no longer exists come back with null columns; `toEntry` drops them.
 */
function entriesSql(inactivityDays: number): string {
  return `WITH r AS (
      SELECT * FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS u(kind, entity_id, ord))
    SELECT r.ord,
      coalesce(p.in_directory, s.in_directory) AS in_directory,
      p.id AS professional_id, p.national_id, p.civility, p.last_name, p.first_name,
      p.profession_code, p.profession_label, p.speciality_code, p.speciality_label,
      ${professionalStatusSql('a', 'p.id', inactivityDays)} AS status,
      CASE WHEN p.id IS NULL THEN NULL ELSE coalesce((SELECT json_agg(pl) FROM (
        SELECT ps.id AS "structureId", ps.name, ps.city, ps.postcode,
          ps.departement_code AS departement
        FROM (SELECT DISTINCT act.structure_id FROM activities act
              WHERE act.professional_id = p.id AND act.structure_id IS NOT NULL
              ORDER BY 1 LIMIT ${MAX_PLACES}) d
        JOIN structures ps ON ps.id = d.structure_id) pl), '[]') END AS places,
      s.id AS structure_id, s.structure_key, s.name, s.city, s.postcode, s.departement_code,
      s.sector_label, s.category_label, sm.member_count, sm.is_member,
      CASE WHEN r.kind = 'p'
        THEN EXISTS (SELECT 1 FROM directory_favourites f
                     WHERE f.account_id = ?::bigint AND f.professional_id = r.entity_id)
        ELSE EXISTS (SELECT 1 FROM directory_favourites f
                     WHERE f.account_id = ?::bigint AND f.structure_id = r.entity_id)
      END AS favourite
    FROM r
    LEFT JOIN professionals p ON r.kind = 'p' AND p.id = r.entity_id
    LEFT JOIN accounts a ON a.professional_id = p.id
    LEFT JOIN structures s ON r.kind = 's' AND s.id = r.entity_id
    LEFT JOIN LATERAL (
      SELECT count(*)::int AS member_count,
        coalesce(bool_or(m.account_id = ?::bigint), false) AS is_member
      FROM structure_members m WHERE m.structure_id = s.id) sm ON s.id IS NOT NULL
    ORDER BY r.ord`;
}

/** One row of `entriesSql` as an entry, or null when its entity no longer exists. */
function toEntry(r: Record<string, never>): DirectoryEntry | null {
  if (r.professional_id != null) {
    return {
      kind: 'professional',
      id: r.professional_id,
      professionalId: r.professional_id,
      nationalId: r.national_id,
      civility: r.civility,
      lastName: r.last_name,
      firstName: r.first_name,
      profession: { code: r.profession_code, label: r.profession_label },
      speciality: r.speciality_code ? { code: r.speciality_code, label: r.speciality_label } : null,
      places: r.places,
      status: r.status,
      inDirectory: r.in_directory,
      favourite: r.favourite,
    };
  }
  if (r.structure_id != null) {
    return {
      kind: 'structure',
      id: r.structure_id,
      structureKey: r.structure_key,
      name: r.name,
      city: r.city,
      postcode: r.postcode,
      departement: r.departement_code,
      sector: r.sector_label,
      category: r.category_label,
      memberCount: r.member_count,
      nobodyAttached: r.member_count === 0,
      isMember: r.is_member,
      inDirectory: r.in_directory,
      favourite: r.favourite,
    };
  }
  return null;
}

/**
 * Entries in the order of `refs` (refs that no longer exist are skipped): one query, whose
 * plan each connection keeps (a search spends more planning than running its queries).
 */
export async function loadEntries(
  db: Knex,
  viewer: Viewer,
  refs: EntryRef[],
): Promise<DirectoryEntry[]> {
  if (!refs.length) return [];
  const days = Math.trunc(viewer.inactivityDays);
  const me = viewer.accountId;
  const { rows } = await db
    .raw(entriesSql(days), [refs.map((r) => r.kind), refs.map((r) => r.id), me, me, me])
    .options({ name: `relais_directory_entries_${days}` });
  return rows.flatMap((r: Record<string, never>) => toEntry(r) ?? []);
}
