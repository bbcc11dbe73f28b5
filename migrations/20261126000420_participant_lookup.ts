import type { Knex } from 'knex';

/**
 * "Who takes part in conversation N" (access checks on every request, the audience of
 * every event) must not scan the table: the unique indexes of the first migration are
 * partial on each kind's column and cannot serve `conversation_id = ?` alone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX conversation_participants_conversation_idx ON conversation_participants (conversation_id)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX conversation_participants_conversation_idx');
}
