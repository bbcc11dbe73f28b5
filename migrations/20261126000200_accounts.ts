import type { Knex } from 'knex';

/**
 * Accounts (people who sign in, linked to their directory entry when they have one),
 * bearer sessions, and the attachment of accounts to structures for the chat.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.bigIncrements('id');
    t.bigInteger('professional_id').unique().references('professionals.id').onDelete('SET NULL');
    t.text('email');
    t.text('mobile'); // E.164
    t.text('password_hash'); // argon2id; null for accounts that only sign in through an intranet
    t.text('first_name').notNullable().defaultTo('');
    t.text('last_name').notNullable().defaultTo('');
    t.text('locale').notNullable().defaultTo('fr');
    t.text('time_zone').notNullable().defaultTo('Europe/Paris');
    t.text('kind').notNullable().defaultTo('person'); // person | bot
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.timestamp('last_active_at', { useTz: true });
    t.timestamp('disabled_at', { useTz: true });
    t.timestamps(true, true);
  });
  // E-mail is unique whatever its case; sign-in looks it up lower-cased.
  await knex.raw('CREATE UNIQUE INDEX accounts_email_lower_idx ON accounts (lower(email))');
  // The inactivity scan (30 days) reads this index, never the whole table.
  await knex.raw('CREATE INDEX accounts_last_active_idx ON accounts (last_active_at)');

  await knex.schema.createTable('sessions', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.binary('token_hash').notNullable().unique(); // sha256 of the bearer token
    t.text('method').notNullable(); // password | embed | invitation
    t.text('integration_id');
    t.text('ip');
    t.text('user_agent');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.index(['account_id']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('structure_members', (t) => {
    t.bigInteger('structure_id').notNullable().references('structures.id').onDelete('CASCADE');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.text('role').notNullable().defaultTo('member'); // member | manager
    t.timestamp('attached_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['structure_id', 'account_id']);
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('structure_members');
  await knex.schema.dropTable('sessions');
  await knex.schema.dropTable('accounts');
}
