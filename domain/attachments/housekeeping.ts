import type { AppContext } from '../context';
import { enqueueProcessing } from './service';
import { deleteUpload } from './uploads';

/**
 * Uploads never attached to a sent message are deleted after ATTACHMENT_UNATTACHED_TTL_HOURS
 * (a day by default): an abandoned draft's files do not stay on the server.
 */
export async function purgeUnattached(ctx: AppContext, batch = 500): Promise<number> {
  const before = new Date(
    ctx.now().getTime() - ctx.config.attachments.unattachedTtlHours * 3600 * 1000,
  );
  const rows: Array<{ id: string }> = await ctx
    .db('attachments')
    .whereNull('message_id')
    .where('created_at', '<', before)
    .orderBy('created_at')
    .limit(batch)
    .select('id');
  for (const { id } of rows) await deleteUpload(ctx, id);
  return rows.length;
}

/**
 * Files complete but still pending after a while: their job was lost (Redis restarted
 * without persistence, an enqueue that failed after commit). Adding the job again is
 * harmless: the job id is the file's, so a job still waiting or running is not doubled.
 */
export async function sweepPending(ctx: AppContext, olderThanSeconds = 120): Promise<number> {
  const before = new Date(ctx.now().getTime() - olderThanSeconds * 1000);
  const rows: Array<{ id: string }> = await ctx
    .db('attachments')
    .where('status', 'pending')
    .where('uploaded_at', '<', before)
    .limit(1000)
    .select('id');
  let requeued = 0;
  for (const { id } of rows)
    if (await enqueueProcessing(ctx, id, { retryFailed: true })) requeued++;
  return requeued;
}
