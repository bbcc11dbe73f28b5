import type { Knex } from 'knex';

/**
 * A digest of a professional's activity lines in the last import: a re-import rewrites
 * the activities of those whose digest changed only, not the whole country's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('professionals', (t) => {
    t.text('activities_hash');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('professionals', (t) => {
    t.dropColumn('activities_hash');
  });
}
