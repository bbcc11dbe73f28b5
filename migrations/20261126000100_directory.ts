import type { Knex } from 'knex';

/**
 * The national directory (RPPS "PS_LibreAcces"): one professional per national identifier,
 * one structure per technical structure id, and one activity per line of the extract
 * linking them. Structures created locally (an NGO, a coordination team not in the
 * extract) live in the same table with `source = 'local'`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS unaccent');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');

  await knex.schema.createTable('structures', (t) => {
    t.bigIncrements('id');
    // "Identifiant technique de la structure" (F250000700, C49940088500020, …) or a local id.
    t.text('structure_key').notNullable().unique();
    t.text('source').notNullable().defaultTo('directory'); // directory | local
    t.text('name').notNullable();
    t.text('commercial_name');
    t.text('finess_site');
    t.text('finess_legal');
    t.text('siret');
    t.text('siren');
    t.text('address');
    t.text('postcode');
    t.text('commune_code');
    t.text('city');
    t.text('departement_code');
    t.text('phone');
    t.text('email');
    t.text('sector_code');
    t.text('sector_label');
    t.boolean('in_directory').notNullable().defaultTo(true);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('professionals', (t) => {
    t.bigIncrements('id');
    // "Identification nationale PP": type digit + identifier, e.g. 810100271385 (RPPS).
    t.text('national_id').notNullable().unique();
    t.text('id_type').notNullable(); // 8 = RPPS, 0 = ADELI
    t.text('identifier').notNullable();
    t.text('civility');
    t.text('last_name').notNullable();
    t.text('first_name').notNullable().defaultTo('');
    t.text('profession_code');
    t.text('profession_label');
    t.text('speciality_code');
    t.text('speciality_label');
    t.boolean('in_directory').notNullable().defaultTo(true);
    t.timestamps(true, true);
  });
  await knex.raw('CREATE INDEX professionals_identifier_idx ON professionals (identifier)');

  await knex.schema.createTable('activities', (t) => {
    t.bigIncrements('id');
    t.bigInteger('professional_id')
      .notNullable()
      .references('professionals.id')
      .onDelete('CASCADE');
    t.bigInteger('structure_id').references('structures.id').onDelete('SET NULL');
    t.text('profession_code');
    t.text('profession_label');
    t.text('speciality_code');
    t.text('speciality_label');
    t.text('practice_mode_code');
    t.text('practice_mode_label');
    t.text('role_code');
    t.text('role_label');
    t.index(['professional_id']);
    t.index(['structure_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('activities');
  await knex.schema.dropTable('professionals');
  await knex.schema.dropTable('structures');
}
