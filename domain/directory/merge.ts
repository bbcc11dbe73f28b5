import type pg from 'pg';
import type { ImportPhase } from './importer';

/**
 * The set-based half of the import, in ONE transaction over the staging table: upsert
 * structures and professionals (ids stay stable; rows referenced by accounts, favourites,
 * conversations or structure attachments are never deleted, only flagged
 * `in_directory = false` when gone), replace the activities of the professionals in the
 * file, build the new search table beside the live one and swap it in. Readers keep using
 * the old rows until COMMIT (MVCC); the swap's exclusive lock lasts only for the rename.
 */
export interface MergeCounts {
  professionals: number;
  professionalsAdded: number;
  professionalsUpdated: number;
  professionalsRemoved: number;
  structures: number;
  structuresAdded: number;
  structuresUpdated: number;
  structuresRemoved: number;
}

const STRUCTURE_FIELDS = [
  ['name', 'coalesce(structure_name, structure_key)'],
  ['commercial_name', 'commercial_name'],
  ['finess_site', 'finess_site'],
  ['finess_legal', 'finess_legal'],
  ['siret', 'siret'],
  ['siren', 'siren'],
  ['address', 'address'],
  ['postcode', 'postcode'],
  ['commune_code', 'commune_code'],
  ['city', 'city'],
  ['departement_code', 'departement'],
  ['phone', 'phone'],
  ['email', 'email'],
  ['sector_code', 'sector_code'],
  ['sector_label', 'sector_label'],
] as const;

const PROFESSIONAL_FIELDS = [
  ['id_type', 'coalesce(id_type, left(national_id, 1))'],
  ['identifier', 'coalesce(identifier, substr(national_id, 2))'],
  ['civility', 'civility'],
  ['last_name', 'last_name'],
  ['first_name', "coalesce(first_name, '')"],
  ['profession_code', 'profession_code'],
  ['profession_label', 'profession_label'],
  ['speciality_code', 'speciality_code'],
  ['speciality_label', 'speciality_label'],
] as const;

/** INSERT … ON CONFLICT that only rewrites rows that changed, and counts what it did. */
function upsertSql(
  table: string,
  key: string,
  sourceKey: string,
  fields: readonly (readonly [string, string])[],
  source: string,
): string {
  const cols = fields.map(([c]) => c);
  const changed = `(${cols.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${cols
    .map((c) => `EXCLUDED.${c}`)
    .join(', ')})`;
  return `
    WITH src AS (${source}),
    up AS (
      INSERT INTO ${table} (${key}, ${cols.join(', ')}, in_directory)
      SELECT ${sourceKey}, ${fields.map(([, e]) => e).join(', ')}, true FROM src
      ON CONFLICT (${key}) DO UPDATE SET
        ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, in_directory = true, updated_at = now()
      WHERE ${changed} OR NOT ${table}.in_directory
      RETURNING (xmax = 0) AS inserted
    )
    SELECT (SELECT count(*) FROM src)::int AS total,
      count(*) FILTER (WHERE inserted)::int AS added,
      count(*) FILTER (WHERE NOT inserted)::int AS updated
    FROM up`;
}

const SEARCH_INDEXES = [
  ['entity_idx', 'CREATE UNIQUE INDEX %s ON directory_search_new (kind, entity_id)'],
  ['sort_idx', 'CREATE INDEX %s ON directory_search_new (sort_key, kind, entity_id)'],
  ['last_idx', 'CREATE INDEX %s ON directory_search_new (last_key)'],
  [
    'tokens_idx',
    'CREATE INDEX %s ON directory_search_new USING gin (tokens) WITH (fastupdate = off)',
  ],
] as const;

export async function mergeStaging(
  client: pg.Client,
  onPhase: (phase: ImportPhase) => void,
): Promise<MergeCounts> {
  await client.query('BEGIN');
  try {
    // Big sorts and index builds in memory rather than in temporary files.
    await client.query("SET LOCAL work_mem = '256MB'");
    await client.query("SET LOCAL maintenance_work_mem = '1GB'");
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query('ANALYZE directory_staging');

    onPhase('structures');
    const s = await client.query(
      upsertSql(
        'structures',
        'structure_key',
        'structure_key',
        STRUCTURE_FIELDS,
        `SELECT DISTINCT ON (structure_key) * FROM directory_staging
         WHERE structure_key IS NOT NULL ORDER BY structure_key, line_no`,
      ),
    );
    const sGone = await client.query(`
      UPDATE structures st SET in_directory = false, updated_at = now()
      WHERE st.source = 'directory' AND st.in_directory
        AND NOT EXISTS (SELECT 1 FROM directory_staging g WHERE g.structure_key = st.structure_key)`);

    onPhase('professionals');
    const p = await client.query(
      upsertSql(
        'professionals',
        'national_id',
        'national_id',
        PROFESSIONAL_FIELDS,
        `SELECT DISTINCT ON (national_id) * FROM directory_staging ORDER BY national_id, line_no`,
      ),
    );
    const pGone = await client.query(`
      UPDATE professionals pr SET in_directory = false, updated_at = now()
      WHERE pr.in_directory
        AND NOT EXISTS (SELECT 1 FROM directory_staging g WHERE g.national_id = pr.national_id)`);

    onPhase('activities');
    // Activities are nobody's reference: those of the professionals in the file are
    // replaced; the last known ones of professionals who left are kept.
    const { rows: hasActivities } = await client.query(
      'SELECT EXISTS (SELECT 1 FROM activities) AS any',
    );
    if (hasActivities[0].any) {
      await client.query(`
        DELETE FROM activities a USING professionals pr
        WHERE a.professional_id = pr.id
          AND EXISTS (SELECT 1 FROM directory_staging g WHERE g.national_id = pr.national_id)`);
    }
    await client.query(`
      INSERT INTO activities (professional_id, structure_id, profession_code, profession_label,
        speciality_code, speciality_label, practice_mode_code, practice_mode_label, role_code, role_label)
      SELECT pr.id, st.id, g.profession_code, g.profession_label, g.speciality_code,
        g.speciality_label, g.mode_code, g.mode_label, g.role_code, g.role_label
      FROM directory_staging g
      JOIN professionals pr ON pr.national_id = g.national_id
      LEFT JOIN structures st ON st.structure_key = g.structure_key
      ORDER BY g.line_no`);

    onPhase('search');
    await client.query('DROP TABLE IF EXISTS directory_search_new');
    await client.query(
      'CREATE TABLE directory_search_new (LIKE directory_search INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
    );
    await client.query(`
      INSERT INTO directory_search_new (kind, entity_id, sort_key, last_key, name_text, tokens)
      SELECT 'p', pr.id, g.p_sort, g.p_last, g.p_text, g.tokens
      FROM (
        SELECT national_id, max(p_sort) AS p_sort, max(p_last) AS p_last, max(p_text) AS p_text,
          string_to_array(concat_ws(' ', max(p_tokens), string_agg(a_tokens, ' ')), ' ') AS tokens
        FROM directory_staging GROUP BY national_id
      ) g JOIN professionals pr ON pr.national_id = g.national_id`);
    await client.query(`
      INSERT INTO directory_search_new (kind, entity_id, sort_key, last_key, name_text, tokens)
      SELECT 's', st.id, g.s_sort, g.s_last, g.s_text, string_to_array(g.s_tokens, ' ')
      FROM (
        SELECT structure_key, max(s_sort) AS s_sort, max(s_last) AS s_last, max(s_text) AS s_text,
          max(s_tokens) AS s_tokens
        FROM directory_staging WHERE s_tokens IS NOT NULL GROUP BY structure_key
      ) g JOIN structures st ON st.structure_key = g.structure_key`);
    // Structures created locally are not in the extract: carry their search rows over.
    await client.query(`
      INSERT INTO directory_search_new
      SELECT d.* FROM directory_search d JOIN structures st ON d.kind = 's' AND st.id = d.entity_id
      WHERE st.source = 'local'`);

    onPhase('indexes');
    for (const [suffix, ddl] of SEARCH_INDEXES) {
      await client.query(ddl.replace('%s', `directory_search_new_${suffix}`));
    }
    await client.query('ALTER TABLE directory_search_new ALTER COLUMN tokens SET STATISTICS 1000');
    await client.query('ANALYZE directory_search_new');

    onPhase('commit');
    await client.query('DROP TABLE directory_search');
    await client.query('ALTER TABLE directory_search_new RENAME TO directory_search');
    for (const [suffix] of SEARCH_INDEXES) {
      await client.query(
        `ALTER INDEX directory_search_new_${suffix} RENAME TO directory_search_${suffix}`,
      );
    }
    await client.query('COMMIT');
    // Fresh statistics for the planner on the merged tables (outside the transaction).
    await client.query('ANALYZE structures, professionals, activities');
    return {
      professionals: p.rows[0].total,
      professionalsAdded: p.rows[0].added,
      professionalsUpdated: p.rows[0].updated,
      professionalsRemoved: pGone.rowCount ?? 0,
      structures: s.rows[0].total,
      structuresAdded: s.rows[0].added,
      structuresUpdated: s.rows[0].updated,
      structuresRemoved: sGone.rowCount ?? 0,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
