import type { Knex } from 'knex';

/**
 * Identity verification (issue 10, finding 2). Holding an invitation link proves control
 * of an address, nothing more, so an account created from a link is not bound to the
 * directory identity it claims until an installation administrator (later also Pro Santé
 * Connect) confirms it:
 *
 * - `identity_verified` is true for accounts whose creator vouches for them (the
 *   installation, an intranet through its signed embed token, the demo seed) and false for
 *   accounts created from an invitation link until `verifyIdentity` runs.
 * - `claimed_professional_id` holds the directory entry the invitation named; only
 *   verification copies it to `professional_id`.
 * - The CHECK makes the rule hold whatever the code: an unverified account can never be
 *   bound to a directory identity, hence never reads what is addressed to one.
 * - `invitation_id`: the invitation that created the account (what the administrator
 *   looks at before confirming).
 *
 * Existing accounts with a professional are considered verified: they were bound before
 * this rule existed, by the only ways there were (seed, intranet, invitation links), and
 * unbinding them would lock real users out of their conversations. They are stamped with
 * their creation time and the method 'migration', so an audit can tell them apart.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.boolean('identity_verified').notNullable().defaultTo(true);
    t.bigInteger('claimed_professional_id').references('professionals.id').onDelete('SET NULL');
    t.bigInteger('invitation_id').references('invitations.id').onDelete('SET NULL');
    t.timestamp('identity_verified_at', { useTz: true });
    t.bigInteger('identity_verified_by').references('accounts.id').onDelete('SET NULL');
    t.text('identity_verification_method'); // admin | pro-sante-connect | seed | migration
    t.timestamp('identity_rejected_at', { useTz: true });
    t.bigInteger('identity_rejected_by').references('accounts.id').onDelete('SET NULL');
  });
  await knex.raw(`ALTER TABLE accounts ADD CONSTRAINT accounts_identity_bound_only_verified
    CHECK (identity_verified OR professional_id IS NULL)`);
  // The administrators' queue: a handful of rows among all accounts.
  await knex.raw(
    'CREATE INDEX accounts_unverified_idx ON accounts (created_at) WHERE NOT identity_verified',
  );
  await knex.raw(`UPDATE accounts
      SET identity_verified_at = created_at, identity_verification_method = 'migration'
    WHERE professional_id IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX accounts_unverified_idx');
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT accounts_identity_bound_only_verified');
  await knex.schema.alterTable('accounts', (t) => {
    for (const column of [
      'identity_verified',
      'claimed_professional_id',
      'invitation_id',
      'identity_verified_at',
      'identity_verified_by',
      'identity_verification_method',
      'identity_rejected_at',
      'identity_rejected_by',
    ]) {
      t.dropColumn(column);
    }
  });
}
