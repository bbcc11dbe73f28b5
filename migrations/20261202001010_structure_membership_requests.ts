import type { Knex } from 'knex';

/**
 * Structure membership is granted by the structure's administrators (structure_members
 * role 'manager') or the installation's, never by an invitation link (issue 10). A
 * structure invitation, once accepted, leaves a request here that they approve or refuse;
 * who decided and when is kept. `structure_members.attached_by` records who attached a
 * member (NULL for rows older than this rule, and for the demo seed).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('structure_membership_requests', (t) => {
    t.bigIncrements('id');
    t.bigInteger('structure_id').notNullable().references('structures.id').onDelete('CASCADE');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.bigInteger('invitation_id').references('invitations.id').onDelete('SET NULL');
    t.text('status').notNullable().defaultTo('pending'); // pending | approved | refused
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.bigInteger('decided_by').references('accounts.id').onDelete('SET NULL');
    t.index(['account_id']);
  });
  await knex.raw(`ALTER TABLE structure_membership_requests ADD CONSTRAINT structure_membership_requests_status
    CHECK (status IN ('pending', 'approved', 'refused'))`);
  // One open request per account and structure; the administrators' list reads this index.
  await knex.raw(`CREATE UNIQUE INDEX structure_membership_requests_pending_uq
    ON structure_membership_requests (structure_id, account_id) WHERE status = 'pending'`);
  await knex.schema.alterTable('structure_members', (t) => {
    t.bigInteger('attached_by').references('accounts.id').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('structure_members', (t) => t.dropColumn('attached_by'));
  await knex.schema.dropTable('structure_membership_requests');
}
