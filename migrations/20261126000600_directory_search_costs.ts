import type { Knex } from 'knex';

/**
 * Two costs of each search, measured in bench:search:
 * - Planning: every `tokens @>` clause makes the planner read the column's most-common-
 *   elements list. At statistics target 200 and above that list (2,000 tokens and more)
 *   is stored out of line (TOAST) and read back on each clause: ~0.3 ms per clause, a
 *   search has 4 to 8. At 100 (1,000 tokens, inline) it is ~0.06 ms; the common tokens
 *   whose estimates drive the plan choice (professions, départements, short prefixes) are
 *   all in the list still. Imports set the same target on the table they build.
 * - The places of each person on the page: from an index on (professional_id,
 *   structure_id), the distinct structures come in order from the index alone, with no
 *   sort per person. It replaces the index on professional_id, its prefix.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE directory_search ALTER COLUMN tokens SET STATISTICS 100');
  await knex.raw('ANALYZE directory_search');
  await knex.raw(
    'CREATE INDEX activities_professional_structure_idx ON activities (professional_id, structure_id)',
  );
  await knex.raw('DROP INDEX activities_professional_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX activities_professional_id_index ON activities (professional_id)');
  await knex.raw('DROP INDEX activities_professional_structure_idx');
  await knex.raw('ALTER TABLE directory_search ALTER COLUMN tokens SET STATISTICS 1000');
}
