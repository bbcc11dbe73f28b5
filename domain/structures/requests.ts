import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { requireStructureAdministrator, type StructureActor } from './administrators';

export type RequestStatus = 'pending' | 'approved' | 'refused';

/** A membership request as its deciders see it: who asks, for what, through whose invitation. */
export interface MembershipRequestView {
  id: number;
  status: RequestStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: number | null;
  structure: { id: number; name: string; city: string | null };
  account: {
    id: number;
    firstName: string;
    lastName: string;
    email: string | null;
    identityVerified: boolean;
  };
  invitation: {
    id: number;
    address: string;
    addressSource: 'directory' | 'typed';
    inviter: { accountId: number; firstName: string; lastName: string };
  } | null;
}

/**
 * Left by a structure invitation when accepted (inside the joining transaction): the
 * newcomer asks to answer for the structure, its administrators decide.
 */
export async function recordMembershipRequest(
  trx: Knex.Transaction,
  request: { structureId: number; accountId: number; invitationId: number | null },
): Promise<void> {
  await trx.raw(
    `INSERT INTO structure_membership_requests (structure_id, account_id, invitation_id)
     VALUES (?, ?, ?)
     ON CONFLICT (structure_id, account_id) WHERE status = 'pending' DO NOTHING`,
    [request.structureId, request.accountId, request.invitationId],
  );
}

function requestsQuery(db: Knex) {
  return db('structure_membership_requests as r')
    .join('structures as s', 's.id', 'r.structure_id')
    .join('accounts as a', 'a.id', 'r.account_id')
    .leftJoin('invitations as i', 'i.id', 'r.invitation_id')
    .leftJoin('accounts as ia', 'ia.id', 'i.inviter_account_id')
    .select(
      'r.*',
      's.name as s_name',
      's.city as s_city',
      'a.first_name as a_first',
      'a.last_name as a_last',
      'a.email as a_email',
      'a.identity_verified as a_verified',
      'i.address as i_address',
      'i.address_source as i_source',
      'i.inviter_account_id as i_inviter',
      'ia.first_name as ia_first',
      'ia.last_name as ia_last',
    );
}

// biome-ignore lint/suspicious/noExplicitAny: a row of requestsQuery
function toView(r: any): MembershipRequestView {
  return {
    id: Number(r.id),
    status: r.status,
    createdAt: new Date(r.created_at).toISOString(),
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    decidedBy: r.decided_by === null ? null : Number(r.decided_by),
    structure: { id: Number(r.structure_id), name: r.s_name, city: r.s_city },
    account: {
      id: Number(r.account_id),
      firstName: r.a_first,
      lastName: r.a_last,
      email: r.a_email,
      identityVerified: r.a_verified,
    },
    invitation: r.invitation_id
      ? {
          id: Number(r.invitation_id),
          address: r.i_address,
          addressSource: r.i_source,
          inviter: {
            accountId: Number(r.i_inviter),
            firstName: r.ia_first ?? '',
            lastName: r.ia_last ?? '',
          },
        }
      : null,
  };
}

/**
 * The pending requests the actor may decide: those of the structures they administer.
 * Installation administrators see them all (structures without administrators included).
 */
export async function listMembershipRequests(
  ctx: AppContext,
  actor: StructureActor,
): Promise<MembershipRequestView[]> {
  const q = requestsQuery(ctx.db).where('r.status', 'pending').orderBy('r.id');
  if (!actor.isAdmin) {
    q.whereIn(
      'r.structure_id',
      ctx
        .db('structure_members')
        .where({ account_id: actor.accountId, role: 'manager' })
        .select('structure_id'),
    );
  }
  return (await q).map(toView);
}

/** Approves (the account becomes a member, attached by the decider) or refuses a request. */
export async function decideMembershipRequest(
  ctx: AppContext,
  actor: StructureActor,
  requestId: number,
  decision: 'approve' | 'refuse',
): Promise<MembershipRequestView> {
  const accountId = await ctx.db.transaction(async (trx) => {
    const request = await trx('structure_membership_requests')
      .where({ id: requestId })
      .forUpdate()
      .first();
    if (!request) throw Boom.notFound('Membership request not found');
    await requireStructureAdministrator(trx, actor, request.structure_id);
    if (request.status !== 'pending') {
      throw Boom.conflict(`This request was already ${request.status}`);
    }
    await trx('structure_membership_requests')
      .where({ id: requestId })
      .update({
        status: decision === 'approve' ? 'approved' : 'refused',
        decided_at: trx.fn.now(),
        decided_by: actor.accountId,
      });
    if (decision === 'approve') {
      await trx('structure_members')
        .insert({
          structure_id: request.structure_id,
          account_id: request.account_id,
          attached_by: actor.accountId,
        })
        .onConflict(['structure_id', 'account_id'])
        .ignore();
    }
    return Number(request.account_id);
  });
  // Approved: the structure's conversations, however old, are now the member's to read.
  // Refused: nothing changes for the account (a pending request never gave access).
  if (decision === 'approve') await publishEvent(ctx, [accountId], { type: 'access.changed' });
  return toView(await requestsQuery(ctx.db).where('r.id', requestId).first());
}
