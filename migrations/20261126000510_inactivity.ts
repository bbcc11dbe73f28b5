import type { Knex } from 'knex';

/**
 * The 30-day inactivity detection and its reminders.
 *
 * - `accounts.inactive_since` is set by the daily scan (set-based UPDATE over the partial
 *   index below) and cleared by a trigger the moment `last_active_at` moves forward, so
 *   activity (sign-in, request, websocket) makes the account active again at once without
 *   the accounts code knowing about reminders. The trigger also restarts the reminder
 *   cadence.
 * - `inactivity_reminders`: one row per account, inactivity period and cadence step; the
 *   unique key makes a second run of the same day (or two workers) send nothing twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('inactive_since', { useTz: true });
    t.integer('reminder_step').notNullable().defaultTo(0);
    t.timestamp('reminders_unsubscribed_at', { useTz: true });
  });
  await knex.raw(
    'CREATE INDEX accounts_active_scan_idx ON accounts (last_active_at) WHERE inactive_since IS NULL',
  );
  await knex.raw(
    'CREATE INDEX accounts_inactive_idx ON accounts (inactive_since) WHERE inactive_since IS NOT NULL',
  );
  await knex.raw(`
    CREATE FUNCTION accounts_reactivate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.last_active_at IS NOT NULL
         AND (OLD.last_active_at IS NULL OR NEW.last_active_at > OLD.last_active_at) THEN
        NEW.inactive_since := NULL;
        NEW.reminder_step := 0;
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER accounts_reactivate BEFORE UPDATE OF last_active_at ON accounts
      FOR EACH ROW EXECUTE FUNCTION accounts_reactivate()`);

  await knex.schema.createTable('inactivity_reminders', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.timestamp('inactive_since', { useTz: true }).notNullable();
    t.integer('step').notNullable(); // 1 = first reminder (day 30), 2, 3…
    t.integer('days').notNullable();
    t.text('state').notNullable().defaultTo('queued'); // queued | sending | sent | failed
    // Random (pg_strong_random through gen_random_uuid), stored as is: it can only switch
    // reminders off, and must be rebuilt into the link if a job is re-enqueued.
    t.text('unsubscribe_token')
      .notNullable()
      .unique()
      .defaultTo(
        knex.raw(
          "replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')",
        ),
      );
    t.text('provider_id');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.unique(['account_id', 'inactive_since', 'step']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inactivity_reminders');
  await knex.raw('DROP TRIGGER accounts_reactivate ON accounts');
  await knex.raw('DROP FUNCTION accounts_reactivate()');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('reminders_unsubscribed_at');
    t.dropColumn('reminder_step');
    t.dropColumn('inactive_since');
  });
}
