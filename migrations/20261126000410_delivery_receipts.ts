import type { Knex } from 'knex';

/**
 * Delivery receipts next to read receipts: how far each reader's devices have received a
 * conversation (the client library acknowledges what it receives, live or by catch-up).
 * Reading implies delivery, so delivered_seq ≥ last_read_seq.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('read_markers', (t) => {
    t.integer('delivered_seq').notNullable().defaultTo(0);
    t.timestamp('delivered_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('read_markers', (t) => {
    t.dropColumn('delivered_seq');
    t.dropColumn('delivered_at');
  });
}
