import type { Knex } from 'knex';

/**
 * The per-address invitation limit counted `user+1@x` and `user+2@x` as different people
 * (issue 10, finding 8). `invitation_address_key` is the one definition of "the same
 * address": e-mails lower-cased without the local part's `+tag` (phones, E.164, have no
 * `@` and are unchanged). The address itself is kept as typed, for sending. The index
 * serves the 7-day count.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION invitation_address_key(address text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(lower(address), '^([^@+]*)\\+[^@]*@', '\\1@')`);
  await knex.raw(`CREATE INDEX invitation_attempts_address_key_idx
    ON invitation_attempts (invitation_address_key(address), created_at)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX invitation_attempts_address_key_idx');
  await knex.raw('DROP FUNCTION invitation_address_key(text)');
}
