import type { Knex } from 'knex';

/**
 * Invitations (S14–S16) and their delivery attempts.
 *
 * - One invitation per invitee and inviter's request; resending issues a new token and a
 *   new attempt on the same row (the old token stops working at once). Only the token's
 *   SHA-256 is stored.
 * - `invitation_attempts` is written in the same transaction as the invitation (or the
 *   resend), before anything is enqueued, and moves queued → sending → sent | failed in the
 *   worker: a retried job finds "sent" and sends nothing (BullMQ is at-least-once). The
 *   abuse limits count attempts, so resends count too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invitations', (t) => {
    t.bigIncrements('id');
    t.bigInteger('inviter_account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.bigInteger('professional_id').references('professionals.id').onDelete('CASCADE');
    t.bigInteger('structure_id').references('structures.id').onDelete('CASCADE');
    t.bigInteger('conversation_id').references('conversations.id').onDelete('SET NULL');
    t.text('channel').notNullable(); // email | sms
    t.text('address').notNullable(); // lower-cased e-mail or E.164 mobile
    t.text('address_source').notNullable(); // directory | typed
    t.text('locale').notNullable().defaultTo('fr');
    t.text('note');
    t.binary('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    // queued | sent | delivered | failed | accepted | expired | revoked
    t.text('status').notNullable().defaultTo('queued');
    t.text('failure_reason');
    t.integer('attempt').notNullable().defaultTo(1);
    t.timestamp('send_after', { useTz: true }); // SMS quiet hours
    t.text('provider_id'); // SMTP Message-ID or Twilio SID of the current attempt
    t.bigInteger('accepted_account_id').references('accounts.id').onDelete('SET NULL');
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['inviter_account_id', 'created_at']);
    t.index(['professional_id']);
    t.index(['structure_id']);
  });
  await knex.raw(`ALTER TABLE invitations ADD CONSTRAINT invitations_target
    CHECK (professional_id IS NOT NULL OR structure_id IS NOT NULL)`);
  // The sweep looks only at invitations still waiting for delivery.
  await knex.raw(
    `CREATE INDEX invitations_queued_idx ON invitations (updated_at) WHERE status = 'queued'`,
  );
  await knex.raw(
    'CREATE INDEX invitations_provider_idx ON invitations (provider_id) WHERE provider_id IS NOT NULL',
  );

  await knex.schema.createTable('invitation_attempts', (t) => {
    t.bigInteger('invitation_id').notNullable().references('invitations.id').onDelete('CASCADE');
    t.integer('attempt').notNullable();
    t.bigInteger('inviter_account_id').notNullable();
    t.bigInteger('professional_id');
    t.bigInteger('structure_id');
    t.text('address').notNullable();
    t.text('channel').notNullable();
    t.text('state').notNullable().defaultTo('queued'); // queued | sending | sent | failed
    t.text('provider_id');
    t.text('error');
    // The link's token in clear, only until the attempt is sent or fails: the worker needs
    // it to write the message (also after a crash), the invitation keeps only the hash.
    t.text('pending_token');
    t.integer('tries').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.primary(['invitation_id', 'attempt']);
    t.index(['inviter_account_id', 'created_at']);
    t.index(['address', 'created_at']);
    t.index(['professional_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invitation_attempts');
  await knex.schema.dropTable('invitations');
}
