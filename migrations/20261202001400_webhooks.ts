import type { Knex } from 'knex';

/**
 * Bot webhooks and the event outbox (issue 12, part 2; docs/bots.md "Webhooks").
 *
 * - `bot_events` is the outbox and the pull API's log at once: a row per event and bot,
 *   written in the same transaction as the change (message sent, conversation created,
 *   participant added). It stores references (conversation, message) and, where they
 *   cannot be read again later, a small payload; the JSON body is built when delivered or
 *   pulled. Its id is the pull cursor and the `webhook-id` (`evt_<id>`), stable across
 *   retries and replays.
 * - `bot_webhooks`: one URL per bot; `disabled_at`/`disabled_reason` when Relais stopped
 *   delivering (410 Gone, or every attempt failed) until its managers enable it again.
 * - `bot_webhook_secrets`: `whsec_…` secrets, several valid at once during a rotation (each
 *   signs every request); stored as given, since signing needs the secret itself.
 * - `webhook_deliveries`: every attempt (status, error, duration), the delivery log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bot_webhooks', (t) => {
    t.bigInteger('bot_account_id').primary().references('bots.account_id').onDelete('CASCADE');
    t.text('url').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.timestamp('disabled_at', { useTz: true });
    t.text('disabled_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('bot_webhook_secrets', (t) => {
    t.bigIncrements('id');
    t.bigInteger('bot_account_id').notNullable().references('bots.account_id').onDelete('CASCADE');
    t.text('secret').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
    t.index(['bot_account_id']);
  });

  await knex.schema.createTable('bot_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('bot_account_id').notNullable().references('bots.account_id').onDelete('CASCADE');
    t.text('type').notNullable();
    t.bigInteger('conversation_id').references('conversations.id').onDelete('CASCADE');
    t.uuid('message_id');
    t.jsonb('payload');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true });
    // A delivery in flight holds the event until then (a duplicate job waits its turn).
    t.timestamp('claimed_until', { useTz: true });
    t.integer('last_status');
  });
  // The pull API: a bot's events after a cursor, in order.
  await knex.raw('CREATE INDEX bot_events_pull_idx ON bot_events (bot_account_id, id)');
  // The sweep: events still to deliver, oldest first (small: delivered rows leave it).
  await knex.raw(
    'CREATE INDEX bot_events_undelivered_idx ON bot_events (next_attempt_at, id) WHERE delivered_at IS NULL',
  );

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.bigInteger('event_id').notNullable().references('bot_events.id').onDelete('CASCADE');
    t.bigInteger('bot_account_id').notNullable().references('bots.account_id').onDelete('CASCADE');
    t.integer('attempt').notNullable();
    t.integer('status_code');
    t.text('error');
    t.integer('duration_ms').notNullable();
    t.boolean('replay').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['event_id']);
  });
  await knex.raw(
    'CREATE INDEX webhook_deliveries_bot_idx ON webhook_deliveries (bot_account_id, id)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('bot_events');
  await knex.schema.dropTable('bot_webhook_secrets');
  await knex.schema.dropTable('bot_webhooks');
}
