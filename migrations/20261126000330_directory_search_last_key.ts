import type { Knex } from 'knex';

/**
 * The exact-last-name tier of the search reads its matches in alphabetical order and
 * stops at the page size: index (last_key, sort_key, …) rather than last_key alone, so
 * that "martin" does not sort every MARTIN of France. (Imports build it this way too.)
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX directory_search_last_idx');
  await knex.raw(
    'CREATE INDEX directory_search_last_idx ON directory_search (last_key, sort_key, kind, entity_id)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX directory_search_last_idx');
  await knex.raw('CREATE INDEX directory_search_last_idx ON directory_search (last_key)');
}
