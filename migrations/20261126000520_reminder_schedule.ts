import type { Knex } from 'knex';

/**
 * Makes the daily inactivity run read only what is due:
 * - `accounts.next_reminder_at`: when the account's next reminder step falls (last
 *   activity + the next cadence day), set by the scan; the run looks up the accounts due
 *   through a partial index instead of examining every inactive account.
 * - a partial index for accounts that never signed in (counted from their creation).
 * - the reactivation trigger also clears the reminder schedule.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('next_reminder_at', { useTz: true });
  });
  await knex.raw(
    'CREATE INDEX accounts_next_reminder_idx ON accounts (next_reminder_at) WHERE next_reminder_at IS NOT NULL',
  );
  await knex.raw(
    'CREATE INDEX accounts_never_active_idx ON accounts (created_at) WHERE inactive_since IS NULL AND last_active_at IS NULL',
  );
  await knex.raw(`
    CREATE OR REPLACE FUNCTION accounts_reactivate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.last_active_at IS NOT NULL
         AND (OLD.last_active_at IS NULL OR NEW.last_active_at > OLD.last_active_at) THEN
        NEW.inactive_since := NULL;
        NEW.reminder_step := 0;
        NEW.next_reminder_at := NULL;
      END IF;
      RETURN NEW;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION accounts_reactivate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.last_active_at IS NOT NULL
         AND (OLD.last_active_at IS NULL OR NEW.last_active_at > OLD.last_active_at) THEN
        NEW.inactive_since := NULL;
        NEW.reminder_step := 0;
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw('DROP INDEX accounts_never_active_idx');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('next_reminder_at');
  });
}
