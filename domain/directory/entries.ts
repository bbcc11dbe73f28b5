import type { Knex } from 'knex';
import { type AccountStatus, accountStatusSql, withInvitations } from './statuses';

/**
 * What the recipient picker shows for an entry, loaded for one page of ids at a time:
 * a person with profession, speciality, places of practice and account status; a
 * structure with its attached members (S11) and whether the viewer is one; both with
 * whether they are the viewer's favourite.
 */
export interface Place {
  structureId: number | null;
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

export async function loadProfessionals(
  db: Knex,
  viewer: Viewer,
  ids: number[],
): Promise<Map<number, ProfessionalEntry>> {
  if (!ids.length) return new Map();
  const { rows } = await db.raw(
    `SELECT p.id, p.national_id, p.civility, p.last_name, p.first_name, p.profession_code,
       p.profession_label, p.speciality_code, p.speciality_label, p.in_directory,
       ${accountStatusSql('a', viewer.inactivityDays)} AS status,
       EXISTS (SELECT 1 FROM directory_favourites f
               WHERE f.account_id = ? AND f.professional_id = p.id) AS favourite,
       COALESCE((SELECT json_agg(pl) FROM (
         SELECT DISTINCT ON (coalesce(s.id, -act.id)) s.id AS "structureId", s.name, s.city,
           s.postcode, s.departement_code AS departement
         FROM activities act LEFT JOIN structures s ON s.id = act.structure_id
         WHERE act.professional_id = p.id
         ORDER BY coalesce(s.id, -act.id) LIMIT ${MAX_PLACES}) pl), '[]') AS places
     FROM professionals p
     LEFT JOIN accounts a ON a.professional_id = p.id
     WHERE p.id = ANY(?::bigint[])`,
    [viewer.accountId, ids],
  );
  const entries: ProfessionalEntry[] = rows.map(
    (r: Record<string, never>): ProfessionalEntry => ({
      kind: 'professional',
      id: r.id,
      professionalId: r.id,
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
    }),
  );
  await withInvitations(db, entries);
  return new Map(entries.map((e) => [e.id, e]));
}

export async function loadStructures(
  db: Knex,
  viewer: Viewer,
  ids: number[],
): Promise<Map<number, StructureEntry>> {
  if (!ids.length) return new Map();
  const { rows } = await db.raw(
    `SELECT s.id, s.structure_key, s.name, s.city, s.postcode, s.departement_code, s.sector_label,
       s.category_label,
       s.in_directory,
       (SELECT count(*) FROM structure_members m WHERE m.structure_id = s.id)::int AS member_count,
       EXISTS (SELECT 1 FROM structure_members m
               WHERE m.structure_id = s.id AND m.account_id = ?) AS is_member,
       EXISTS (SELECT 1 FROM directory_favourites f
               WHERE f.account_id = ? AND f.structure_id = s.id) AS favourite
     FROM structures s WHERE s.id = ANY(?::bigint[])`,
    [viewer.accountId, viewer.accountId, ids],
  );
  return new Map(
    rows.map((r: Record<string, never>): [number, StructureEntry] => [
      r.id,
      {
        kind: 'structure',
        id: r.id,
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
      },
    ]),
  );
}

/** Entries in the order of `refs` (refs that no longer exist are skipped). */
export async function loadEntries(
  db: Knex,
  viewer: Viewer,
  refs: EntryRef[],
): Promise<DirectoryEntry[]> {
  const [people, structures] = await Promise.all([
    loadProfessionals(
      db,
      viewer,
      refs.filter((r) => r.kind === 'p').map((r) => r.id),
    ),
    loadStructures(
      db,
      viewer,
      refs.filter((r) => r.kind === 's').map((r) => r.id),
    ),
  ]);
  return refs.flatMap((r) => {
    const e = r.kind === 'p' ? people.get(r.id) : structures.get(r.id);
    return e ? [e] : [];
  });
}
