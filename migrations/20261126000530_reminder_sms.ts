import type { Knex } from 'knex';

/**
 * SMS reminders for users who chose them: the account's choice, and one reminder row per
 * channel (the e-mail and the SMS of the same step are delivered, and retried, apart).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.boolean('reminder_sms').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('inactivity_reminders', (t) => {
    t.text('channel').notNullable().defaultTo('email'); // email | sms
    t.dropUnique(['account_id', 'inactive_since', 'step']);
    t.unique(['account_id', 'inactive_since', 'step', 'channel']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('inactivity_reminders').where({ channel: 'sms' }).delete();
  await knex.schema.alterTable('inactivity_reminders', (t) => {
    t.dropUnique(['account_id', 'inactive_since', 'step', 'channel']);
    t.unique(['account_id', 'inactive_since', 'step']);
    t.dropColumn('channel');
  });
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('reminder_sms');
  });
}
