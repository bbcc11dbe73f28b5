import type { Knex } from 'knex';

/**
 * Bots (issue 12, part 1; docs/bots.md).
 *
 * - A bot is an `accounts` row of kind 'bot' (no e-mail, no password: sign-in refuses the
 *   kind anyway) plus a `bots` row saying who owns it: a structure, whose administrators
 *   manage it, or nobody (NULL), in which case only the installation's administrators do.
 *   It reads like anyone else: as a member of its structure (structure_members) and as an
 *   `account` participant, so the conversation rules apply to it unchanged.
 * - Its API tokens are stored as SHA-256 only (like sessions); `prefix` is the visible start
 *   of the token, for a person to recognise which one a log line or a config file holds.
 *   Tokens do not expire: they are revoked (rotation keeps two valid at once, see
 *   domain/bots/tokens.ts).
 * - Deleting a bot deletes this row and its tokens, but keeps the account, disabled, so
 *   that the messages it sent keep their signature.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bots', (t) => {
    t.bigInteger('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.bigInteger('owner_structure_id').references('structures.id').onDelete('CASCADE');
    t.text('description').notNullable().defaultTo('');
    t.bigInteger('created_by').references('accounts.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('disabled_at', { useTz: true });
    t.index(['owner_structure_id']);
  });

  await knex.schema.createTable('bot_tokens', (t) => {
    t.bigIncrements('id');
    t.bigInteger('bot_account_id').notNullable().references('bots.account_id').onDelete('CASCADE');
    t.binary('token_hash').notNullable().unique(); // sha256 of the whole token
    t.text('prefix').notNullable(); // rlb_<8 hex>: shown in lists, never enough to use
    t.specificType('scopes', 'text[]').notNullable();
    t.text('label').notNullable().defaultTo('');
    t.bigInteger('created_by').references('accounts.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
  });
  // The per-bot limit of active tokens is counted on this index.
  await knex.raw(
    'CREATE INDEX bot_tokens_active_idx ON bot_tokens (bot_account_id) WHERE revoked_at IS NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('bot_tokens');
  await knex.schema.dropTable('bots');
}
