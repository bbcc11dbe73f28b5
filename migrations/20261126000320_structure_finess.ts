import type { Knex } from 'knex';

/**
 * What the FINESS establishment file (etalab CSV) adds to a structure of the directory:
 * its category ("Centre Hospitalier (C.H.)", "EHPAD"…), aggregated category, and when it
 * was last enriched. The legal entity number goes into the existing `finess_legal`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('structures', (t) => {
    t.text('category_code');
    t.text('category_label');
    t.text('category_group_label');
    t.timestamp('finess_updated_at', { useTz: true });
  });
  await knex.raw('CREATE INDEX structures_finess_site_idx ON structures (finess_site)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX structures_finess_site_idx');
  await knex.schema.alterTable('structures', (t) => {
    t.dropColumn('category_code');
    t.dropColumn('category_label');
    t.dropColumn('category_group_label');
    t.dropColumn('finess_updated_at');
  });
}
