import type { Knex } from 'knex';

/**
 * Per-account favourites (S8) and favourite groups (S9). An entry is a professional or a
 * structure: two nullable foreign keys with exactly one set, so that the database keeps
 * references valid (directory rows are never deleted by an import, only flagged).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('directory_favourites', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.bigInteger('professional_id').references('professionals.id').onDelete('CASCADE');
    t.bigInteger('structure_id').references('structures.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE directory_favourites ADD CONSTRAINT directory_favourites_one_target
    CHECK ((professional_id IS NULL) <> (structure_id IS NULL))`);
  await knex.raw(`CREATE UNIQUE INDEX directory_favourites_professional_idx
    ON directory_favourites (account_id, professional_id) WHERE professional_id IS NOT NULL`);
  await knex.raw(`CREATE UNIQUE INDEX directory_favourites_structure_idx
    ON directory_favourites (account_id, structure_id) WHERE structure_id IS NOT NULL`);

  await knex.schema.createTable('favourite_groups', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.timestamps(true, true);
  });
  await knex.raw(
    'CREATE UNIQUE INDEX favourite_groups_name_idx ON favourite_groups (account_id, lower(name))',
  );

  await knex.schema.createTable('favourite_group_members', (t) => {
    t.bigIncrements('id');
    t.bigInteger('group_id').notNullable().references('favourite_groups.id').onDelete('CASCADE');
    t.bigInteger('professional_id').references('professionals.id').onDelete('CASCADE');
    t.bigInteger('structure_id').references('structures.id').onDelete('CASCADE');
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE favourite_group_members ADD CONSTRAINT favourite_group_members_one_target
    CHECK ((professional_id IS NULL) <> (structure_id IS NULL))`);
  await knex.raw(`CREATE UNIQUE INDEX favourite_group_members_professional_idx
    ON favourite_group_members (group_id, professional_id) WHERE professional_id IS NOT NULL`);
  await knex.raw(`CREATE UNIQUE INDEX favourite_group_members_structure_idx
    ON favourite_group_members (group_id, structure_id) WHERE structure_id IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('favourite_group_members');
  await knex.schema.dropTable('favourite_groups');
  await knex.schema.dropTable('directory_favourites');
}
