import type pg from 'pg';
import type { ImportPhase } from './importer';

/**
 * The set-based half of the import, over the staging table, on two connections at once
 * (one per core):
 *  - ids first: each professional and structure of the file gets its id, the existing one
 *    or a new one from the table's sequence, so that both connections agree on ids;
 *  - connection A, the import transaction: upsert structures and professionals (ids stay
 *    stable; rows referenced by accounts, favourites, conversations or structure
 *    attachments are never deleted, only flagged `in_directory = false` when gone) and
 *    replace the activities of the professionals whose lines changed;
 *  - connection B, meanwhile: build `directory_search_new` and its indexes, a table no
 *    reader knows about, from the staging tables only (A may hold exclusive locks on the
 *    directory tables, see replaceActivities);
 *  - then A drops the live search table, renames the new one in its place and commits.
 * Readers keep seeing the old rows until that COMMIT (MVCC), then all the new ones; the
 * swap's exclusive lock lasts only for the rename.
 */
export interface MergeCounts {
  /** Milliseconds per step (A and B steps overlap). */
  steps: Record<string, number>;
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
  ['activities_hash', 'hash'],
] as const;

/** INSERT … ON CONFLICT that only rewrites rows that changed, and counts what it did. */
function upsertSql(
  table: string,
  key: string,
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
      INSERT INTO ${table} (id, ${key}, ${cols.join(', ')}, in_directory)
      SELECT id, ${key}, ${fields.map(([, e]) => e).join(', ')}, true FROM src
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
  ['last_idx', 'CREATE INDEX %s ON directory_search_new (last_key, sort_key, kind, entity_id)'],
  [
    'tokens_idx',
    'CREATE INDEX %s ON directory_search_new USING gin (tokens) WITH (fastupdate = off)',
  ],
] as const;

/**
 * Activities are nobody's reference: those of the professionals whose lines changed (by
 * digest, see digestActivities) are replaced; the last known ones of those who left are
 * kept. Into an empty table (the first import) the rows go in without per-row
 * foreign-key checks and index maintenance: the secondary indexes and foreign keys are
 * dropped, then rebuilt and re-validated in bulk, all inside the import transaction (an
 * empty table has no reader to block; the directory tables stay locked until COMMIT).
 */
async function replaceActivities(client: pg.Client): Promise<void> {
  const { rows: existing } = await client.query('SELECT EXISTS (SELECT 1 FROM activities) AS any');
  const bulk = !existing[0].any;
  let foreignKeys: { conname: string; def: string }[] = [];
  let indexes: { indexname: string; indexdef: string }[] = [];
  if (bulk) {
    foreignKeys = (
      await client.query(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = 'activities'::regclass AND contype = 'f'`)
    ).rows;
    indexes = (
      await client.query(`SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = 'activities'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
    ).rows;
    for (const fk of foreignKeys) {
      await client.query(`ALTER TABLE activities DROP CONSTRAINT "${fk.conname}"`);
    }
    for (const ix of indexes) await client.query(`DROP INDEX "${ix.indexname}"`);
  } else {
    await client.query(`
      DELETE FROM activities a USING directory_digests d
      WHERE a.professional_id = d.id AND d.changed`);
  }
  await client.query(`
    INSERT INTO activities (professional_id, structure_id, profession_code, profession_label,
      speciality_code, speciality_label, practice_mode_code, practice_mode_label, role_code, role_label)
    SELECT d.id, st.id, g.profession_code, g.profession_label, g.speciality_code,
      g.speciality_label, g.mode_code, g.mode_label, g.role_code, g.role_label
    FROM directory_staging g
    JOIN directory_digests d ON d.national_id = g.national_id
      AND (d.changed OR ${bulk ? 'true' : 'false'})
    LEFT JOIN structures st ON st.structure_key = g.structure_key`);
  for (const ix of indexes) await client.query(ix.indexdef);
  for (const fk of foreignKeys) {
    await client.query(`ALTER TABLE activities ADD CONSTRAINT "${fk.conname}" ${fk.def}`);
  }
}

async function timed<T>(steps: Record<string, number>, name: string, fn: () => Promise<T>) {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    steps[name] = Date.now() - started;
  }
}

/** Ids for everyone in the file: existing ones kept, new ones drawn from the sequence. */
async function assignIds(client: pg.Client): Promise<void> {
  await client.query('DROP TABLE IF EXISTS directory_staging_ids_p, directory_staging_ids_s');
  // COALESCE evaluates nextval() only for the newcomers.
  await client.query(`
    CREATE UNLOGGED TABLE directory_staging_ids_p AS
    SELECT g.national_id, coalesce(p.id, nextval(pg_get_serial_sequence('professionals', 'id'))) AS id
    FROM (SELECT DISTINCT national_id FROM directory_staging WHERE p_tokens IS NOT NULL) g
    LEFT JOIN professionals p ON p.national_id = g.national_id`);
  await client.query(`
    CREATE UNLOGGED TABLE directory_staging_ids_s AS
    SELECT g.structure_key, coalesce(s.id, nextval(pg_get_serial_sequence('structures', 'id'))) AS id
    FROM (SELECT DISTINCT structure_key FROM directory_staging WHERE s_tokens IS NOT NULL) g
    LEFT JOIN structures s ON s.structure_key = g.structure_key`);
  await client.query('ANALYZE directory_staging_ids_p, directory_staging_ids_s');
}

async function memorySettings(client: pg.Client): Promise<void> {
  // Big sorts and index builds in memory rather than in temporary files.
  await client.query("SET LOCAL work_mem = '256MB'");
  await client.query("SET LOCAL maintenance_work_mem = '1GB'");
  await client.query('SET LOCAL synchronous_commit = off');
}

/** Connection B: the new search table, complete with indexes and statistics, committed. */
async function buildSearchTable(client: pg.Client, steps: Record<string, number>): Promise<void> {
  await client.query('BEGIN');
  try {
    await memorySettings(client);
    // B must never wait on A's locks (A waits for B): fail instead of hanging.
    await client.query("SET LOCAL lock_timeout = '30s'");
    await client.query('DROP TABLE IF EXISTS directory_search_new');
    await client.query(
      'CREATE TABLE directory_search_new (LIKE directory_search INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
    );
    await timed(steps, 'search rows', async () => {
      // In sort_key order: the entries a name query reads (a last name, a prefix) sit on a
      // few neighbouring pages instead of one page each.
      await client.query(`
        INSERT INTO directory_search_new (kind, entity_id, sort_key, last_key, name_text, tokens)
        SELECT * FROM (
          SELECT 'p'::char(1) AS kind, ids.id AS entity_id, g.p_sort AS sort_key,
            g.p_last AS last_key, g.p_text AS name_text, g.tokens
          FROM (
            SELECT national_id, max(p_sort) AS p_sort, max(p_last) AS p_last, max(p_text) AS p_text,
              string_to_array(concat_ws(' ', max(p_tokens), string_agg(a_tokens, ' ')), ' ') AS tokens
            FROM directory_staging GROUP BY national_id
          ) g JOIN directory_staging_ids_p ids ON ids.national_id = g.national_id
          UNION ALL
          SELECT 's'::char(1), ids.id, g.s_sort, g.s_last, g.s_text, string_to_array(g.s_tokens, ' ')
          FROM (
            SELECT structure_key, max(s_sort) AS s_sort, max(s_last) AS s_last,
              max(s_text) AS s_text, max(s_tokens) AS s_tokens
            FROM directory_staging WHERE s_tokens IS NOT NULL GROUP BY structure_key
          ) g JOIN directory_staging_ids_s ids ON ids.structure_key = g.structure_key
        ) entries ORDER BY sort_key COLLATE "C"`);
    });
    for (const [suffix, ddl] of SEARCH_INDEXES) {
      await timed(steps, `index ${suffix}`, () =>
        client.query(ddl.replace('%s', `directory_search_new_${suffix}`)),
      );
    }
    // Not higher: see migrations/20261126000600_directory_search_costs.ts (planning cost).
    await client.query('ALTER TABLE directory_search_new ALTER COLUMN tokens SET STATISTICS 100');
    await timed(steps, 'search analyze', () => client.query('ANALYZE directory_search_new'));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * With each professional, a digest of their activity lines, and whether it differs from
 * the last import's: only those get their activities rewritten. Computed on connection A,
 * which has time to spare while B builds the search index.
 */
async function digestActivities(client: pg.Client): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE directory_digests ON COMMIT DROP AS
    SELECT ids.national_id, ids.id, g.hash,
      (p.id IS NULL OR p.activities_hash IS DISTINCT FROM g.hash) AS changed
    FROM (
      SELECT national_id, md5(string_agg(concat_ws('|', structure_key, profession_code,
        profession_label, speciality_code, speciality_label, mode_code, mode_label, role_code,
        role_label), '~' ORDER BY line_no)) AS hash
      FROM directory_staging GROUP BY national_id
    ) g
    JOIN directory_staging_ids_p ids ON ids.national_id = g.national_id
    LEFT JOIN professionals p ON p.id = ids.id`);
  await client.query('ANALYZE directory_digests');
}

/** Connection A, inside its open transaction: the directory tables themselves. */
async function mergeTables(client: pg.Client, steps: Record<string, number>) {
  await timed(steps, 'digests', () => digestActivities(client));
  const s = await timed(steps, 'structures', () =>
    client.query(
      upsertSql(
        'structures',
        'structure_key',
        STRUCTURE_FIELDS,
        // s_tokens marks the first line of each structure (staging.ts): sort those only.
        `SELECT DISTINCT ON (g.structure_key) g.*, ids.id FROM directory_staging g
         JOIN directory_staging_ids_s ids ON ids.structure_key = g.structure_key
         WHERE g.s_tokens IS NOT NULL ORDER BY g.structure_key, g.line_no`,
      ),
    ),
  );
  const sGone = await timed(steps, 'structures gone', () =>
    client.query(`
      UPDATE structures st SET in_directory = false, updated_at = now()
      WHERE st.source = 'directory' AND st.in_directory
        AND NOT EXISTS (SELECT 1 FROM directory_staging_ids_s g WHERE g.structure_key = st.structure_key)`),
  );
  const p = await timed(steps, 'professionals', () =>
    client.query(
      upsertSql(
        'professionals',
        'national_id',
        PROFESSIONAL_FIELDS,
        // p_tokens marks the first line of each run of a professional's lines (staging.ts).
        `SELECT DISTINCT ON (g.national_id) g.*, d.id, d.hash FROM directory_staging g
         JOIN directory_digests d ON d.national_id = g.national_id
         WHERE g.p_tokens IS NOT NULL ORDER BY g.national_id, g.line_no`,
      ),
    ),
  );
  const pGone = await timed(steps, 'professionals gone', () =>
    client.query(`
      UPDATE professionals pr SET in_directory = false, updated_at = now()
      WHERE pr.in_directory
        AND NOT EXISTS (SELECT 1 FROM directory_staging_ids_p g WHERE g.national_id = pr.national_id)`),
  );
  await timed(steps, 'activities', () => replaceActivities(client));
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
}

export async function mergeStaging(
  client: pg.Client,
  second: pg.Client,
  onPhase: (phase: ImportPhase) => void,
): Promise<MergeCounts> {
  const steps: Record<string, number> = {};
  onPhase('ids');
  await timed(steps, 'analyze staging', () => client.query('ANALYZE directory_staging'));
  await timed(steps, 'ids', () => assignIds(client));

  onPhase('merge');
  await client.query('BEGIN');
  try {
    await memorySettings(client);
    // B runs while A works; A waits for B before the swap. If either fails, A rolls back.
    const search = buildSearchTable(second, steps);
    search.catch(() => {}); // observed below; avoid an unhandled rejection meanwhile
    const counts = await mergeTables(client, steps).catch(async (err) => {
      await search.catch(() => {});
      throw err;
    });
    await search;

    onPhase('commit');
    await timed(steps, 'swap and commit', async () => {
      // Structures created locally are not in the extract: carry their search rows over
      // (here in A, which holds the locks on structures that B would wait for).
      await client.query(`
        INSERT INTO directory_search_new
        SELECT d.* FROM directory_search d JOIN structures st ON d.kind = 's' AND st.id = d.entity_id
        WHERE st.source = 'local'`);
      await client.query('DROP TABLE directory_search');
      await client.query('ALTER TABLE directory_search_new RENAME TO directory_search');
      for (const [suffix] of SEARCH_INDEXES) {
        await client.query(
          `ALTER INDEX directory_search_new_${suffix} RENAME TO directory_search_${suffix}`,
        );
      }
      await client.query('COMMIT');
    });
    // Fresh statistics for the planner on the merged tables (outside the transaction).
    await timed(steps, 'analyze tables', () =>
      client.query('ANALYZE structures, professionals, activities'),
    );
    await client.query('DROP TABLE IF EXISTS directory_staging_ids_p, directory_staging_ids_s');
    return { ...counts, steps };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
