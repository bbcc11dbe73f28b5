import type { Knex } from 'knex';

/**
 * Attachments (issue 11, docs/attachments.md).
 *
 * - A file is uploaded first (resumable, in chunks), then attached to a message when the
 *   message is sent. Until then only its owner sees it; uploads never attached are deleted
 *   after a day by the housekeeping job.
 * - `status`: uploading → pending (complete, waiting for the worker) → ready | rejected |
 *   infected. Only `ready` files are ever served, and only to readers of the conversation.
 *   `scanned` is false when no antivirus was configured (development only: the file is
 *   shown as "non analysé").
 * - Each complete chunk is one stored object (`upload_chunks`): a chunk cut by a network
 *   drop is not recorded, so the client resumes from the last complete one on any node.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachments', (t) => {
    t.uuid('id').primary();
    t.bigInteger('owner_account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    // Set at upload when sent from a conversation, else when the message is sent (S2 form).
    t.bigInteger('conversation_id').references('conversations.id').onDelete('CASCADE');
    t.uuid('message_id').references('messages.id').onDelete('CASCADE');
    t.smallint('position');
    // Sanitised file name as the sender chose it; never leaves Relais by e-mail or SMS.
    t.text('file_name').notNullable();
    t.text('declared_type').notNullable();
    // Detected from the bytes by the worker; null until then.
    t.text('media_type');
    t.text('kind'); // image | video | audio | document
    t.bigInteger('size').notNullable(); // declared length; the upload may not exceed it
    t.bigInteger('received').notNullable().defaultTo(0);
    t.text('sha256');
    t.text('status').notNullable().defaultTo('uploading');
    t.text('reason');
    t.boolean('scanned').notNullable().defaultTo(false);
    // What is served: the re-encoded image or video, or the original document.
    t.text('served_type');
    t.bigInteger('served_size');
    t.boolean('has_thumbnail').notNullable().defaultTo(false);
    t.integer('width');
    t.integer('height');
    t.float('duration_seconds');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('uploaded_at', { useTz: true });
    t.timestamp('processed_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE attachments ADD CONSTRAINT attachments_status
    CHECK (status IN ('uploading', 'pending', 'ready', 'rejected', 'infected'))`);
  await knex.raw(`ALTER TABLE attachments ADD CONSTRAINT attachments_received
    CHECK (received >= 0 AND received <= size)`);
  await knex.raw(
    'CREATE INDEX attachments_message_idx ON attachments (message_id, position) WHERE message_id IS NOT NULL',
  );
  // Housekeeping: uploads never attached, oldest first.
  await knex.raw(
    'CREATE INDEX attachments_unattached_idx ON attachments (created_at) WHERE message_id IS NULL',
  );
  // The daily volume of an account, and the sweep of files left pending.
  await knex.raw(
    'CREATE INDEX attachments_owner_idx ON attachments (owner_account_id, created_at)',
  );
  await knex.raw(
    "CREATE INDEX attachments_pending_idx ON attachments (uploaded_at) WHERE status = 'pending'",
  );

  await knex.schema.createTable('upload_chunks', (t) => {
    t.uuid('attachment_id').notNullable().references('attachments.id').onDelete('CASCADE');
    t.bigInteger('start').notNullable();
    t.bigInteger('size').notNullable();
    // The object's key: two requests racing for one offset write different objects, and
    // only the one recorded here counts (the other is deleted).
    t.text('key').notNullable();
    t.primary(['attachment_id', 'start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('upload_chunks');
  await knex.schema.dropTable('attachments');
}
