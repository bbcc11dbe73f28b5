import type { AppContext } from '../context';
import { checkLimits, type InvitationRow, type Inviter, sendAfterFor } from './create';
import { invitationErrors } from './errors';
import { PENDING_STATUSES } from './pending';
import { enqueueAfterCommit, enqueueDeliveries } from './queue';
import { hashInvitationToken, newInvitationToken } from './tokens';

/** What the inviter sees of an invitation (never the token). */
export interface InvitationView {
  id: number;
  professionalId: number | null;
  structureId: number | null;
  conversationId: number | null;
  inviteeName: string | null;
  channel: 'email' | 'sms';
  address: string;
  addressSource: 'directory' | 'typed';
  status: 'queued' | 'sent' | 'delivered' | 'failed' | 'accepted' | 'expired' | 'revoked';
  failureReason: string | null;
  attempt: number;
  sendAfter: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  acceptedAt: string | null;
  expiresAt: string;
}

const OPEN = ['queued', 'sent', 'delivered', 'failed'];

/** The status as the inviter should read it now: a link past its date is expired. */
function currentStatus(row: InvitationRow): InvitationView['status'] {
  if (
    (PENDING_STATUSES as readonly string[]).includes(row.status) &&
    row.expires_at.getTime() < Date.now()
  ) {
    return 'expired';
  }
  return row.status as InvitationView['status'];
}

function present(row: InvitationRow & { invitee_name: string | null }): InvitationView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    professionalId: row.professional_id,
    structureId: row.structure_id,
    conversationId: row.conversation_id,
    inviteeName: row.invitee_name,
    channel: row.channel,
    address: row.address,
    addressSource: row.address_source,
    status: currentStatus(row),
    failureReason: row.failure_reason,
    attempt: row.attempt,
    sendAfter: iso(row.send_after),
    createdAt: row.created_at.toISOString(),
    sentAt: iso(row.sent_at),
    deliveredAt: iso(row.delivered_at),
    acceptedAt: iso(row.accepted_at),
    expiresAt: row.expires_at.toISOString(),
  };
}

function viewQuery(ctx: AppContext) {
  return ctx
    .db('invitations as i')
    .leftJoin('professionals as p', 'p.id', 'i.professional_id')
    .leftJoin('structures as s', 's.id', 'i.structure_id')
    .select(
      'i.*',
      ctx.db.raw(
        "COALESCE(NULLIF(trim(p.first_name || ' ' || p.last_name), ''), s.name) AS invitee_name",
      ),
    );
}

export async function listInvitations(
  ctx: AppContext,
  inviter: Inviter,
  { limit = 50, before }: { limit?: number; before?: number } = {},
): Promise<InvitationView[]> {
  const q = viewQuery(ctx)
    .where('i.inviter_account_id', inviter.accountId)
    .orderBy('i.id', 'desc')
    .limit(limit);
  if (before) q.where('i.id', '<', before);
  return (await q).map(present);
}

export async function getInvitation(
  ctx: AppContext,
  inviter: Inviter,
  id: number,
): Promise<InvitationView> {
  const row = await viewQuery(ctx)
    .where({ 'i.id': id, 'i.inviter_account_id': inviter.accountId })
    .first();
  if (!row) throw invitationErrors.notFound();
  return present(row);
}

/**
 * Sends again with a new link: the old token stops working at once (its hash is replaced),
 * and a new attempt is recorded, counted by the limits like a new invitation.
 */
export async function resendInvitation(
  ctx: AppContext,
  inviter: Inviter,
  id: number,
  { now = new Date() }: { now?: Date } = {},
): Promise<InvitationView> {
  const token = newInvitationToken();
  const updated = await ctx.db.transaction(async (trx) => {
    const row = (await trx('invitations')
      .where({ id, inviter_account_id: inviter.accountId })
      .forUpdate()
      .first()) as InvitationRow | undefined;
    if (!row) throw invitationErrors.notFound();
    if (row.status === 'accepted') throw invitationErrors.conflict('This invitation was accepted');
    if (row.status === 'revoked') throw invitationErrors.conflict('This invitation was revoked');
    await checkLimits(ctx, trx, inviter.accountId, {
      address: row.address,
      professionalId: row.professional_id,
    });
    const attempt = row.attempt + 1;
    const sendAfter = sendAfterFor(ctx, row.channel, now);
    // The previous attempt, if still waiting, will find itself superseded and send nothing.
    await trx('invitation_attempts')
      .where({ invitation_id: id })
      .whereIn('state', ['queued'])
      .update({ state: 'failed', error: 'superseded by a resend', pending_token: null });
    await trx('invitation_attempts').insert({
      invitation_id: id,
      attempt,
      inviter_account_id: inviter.accountId,
      professional_id: row.professional_id,
      structure_id: row.structure_id,
      address: row.address,
      channel: row.channel,
      pending_token: token,
    });
    const [next] = (await trx('invitations')
      .where({ id })
      .update({
        token_hash: hashInvitationToken(token),
        attempt,
        status: 'queued',
        failure_reason: null,
        provider_id: null,
        send_after: sendAfter,
        sent_at: null,
        delivered_at: null,
        expires_at: new Date(now.getTime() + ctx.config.invitations.ttlDays * 86_400_000),
        updated_at: trx.fn.now(),
      })
      .returning('*')) as InvitationRow[];
    return next!;
  });
  await enqueueAfterCommit(ctx, [
    {
      invitationId: id,
      attempt: updated.attempt,
      channel: updated.channel,
      sendAfter: updated.send_after,
    },
  ]);
  return getInvitation(ctx, inviter, id);
}

/** The link stops working at once; a delivery still waiting sends nothing. */
export async function revokeInvitation(
  ctx: AppContext,
  inviter: Inviter,
  id: number,
): Promise<InvitationView> {
  await ctx.db.transaction(async (trx) => {
    const row = await trx('invitations')
      .where({ id, inviter_account_id: inviter.accountId })
      .forUpdate()
      .first('status');
    if (!row) throw invitationErrors.notFound();
    if (row.status === 'accepted') throw invitationErrors.conflict('This invitation was accepted');
    if (row.status === 'revoked') return;
    await trx('invitations')
      .where({ id })
      .update({ status: 'revoked', revoked_at: trx.fn.now(), updated_at: trx.fn.now() });
    await trx('invitation_attempts')
      .where({ invitation_id: id })
      .whereIn('state', ['queued'])
      .update({ state: 'failed', error: 'revoked', pending_token: null });
  });
  return getInvitation(ctx, inviter, id);
}

/**
 * Re-enqueues invitations still queued a while after their last change (the process died
 * between commit and enqueue, Redis was down). Job ids make it a no-op for jobs that are
 * still waiting, delayed or running.
 */
export async function sweepQueuedInvitations(
  ctx: AppContext,
  { olderThanSeconds = ctx.config.invitations.sweepAfterSeconds, batch = 5000 } = {},
): Promise<number> {
  const rows: Array<Pick<InvitationRow, 'id' | 'attempt' | 'channel' | 'send_after'>> = await ctx
    .db('invitations')
    .where('status', 'queued')
    .where('expires_at', '>', ctx.db.fn.now())
    .where('updated_at', '<', ctx.db.raw('now() - make_interval(secs => ?)', [olderThanSeconds]))
    .orderBy('updated_at')
    .limit(batch)
    .select('id', 'attempt', 'channel', 'send_after');
  await enqueueDeliveries(
    ctx,
    rows.map((r) => ({
      invitationId: r.id,
      attempt: r.attempt,
      channel: r.channel,
      sendAfter: r.send_after,
    })),
  );
  return rows.length;
}

/** Marks invitations whose link has passed its date as expired (the inviter's view). */
export async function expireInvitations(ctx: AppContext): Promise<number> {
  return ctx
    .db('invitations')
    .whereIn('status', [...PENDING_STATUSES])
    .where('expires_at', '<', ctx.db.fn.now())
    .update({ status: 'expired', updated_at: ctx.db.fn.now() });
}

export { OPEN as OPEN_STATUSES };
