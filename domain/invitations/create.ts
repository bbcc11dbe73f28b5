import type { Knex } from 'knex';
import type { AppContext } from '../context';
import type { Locale } from '../models';
import { PhoneError, requireMobile } from '../phone';
import { invitationErrors } from './errors';
import { type DeliveryToEnqueue, enqueueAfterCommit } from './queue';
import { quietHoursDelayMs } from './quiet-hours';
import { hashInvitationToken, newInvitationToken } from './tokens';

export type Channel = 'email' | 'sms';

export interface Inviter {
  accountId: number;
}

export interface NewInvitation {
  /** The directory professional invited, or… */
  professionalId?: number | null;
  /** …a structure, invited through its contact details. */
  structureId?: number | null;
  channel: Channel;
  /** Typed by the inviter (S15, "I know the contact details"); absent: the directory's. */
  address?: string | null;
  locale?: Locale;
  note?: string | null;
  /** The conversation waiting for the invitee (the inviter must take part in it). */
  conversationId?: number | null;
}

export interface InvitationRow {
  id: number;
  inviter_account_id: number;
  professional_id: number | null;
  structure_id: number | null;
  conversation_id: number | null;
  channel: Channel;
  address: string;
  address_source: 'directory' | 'typed';
  locale: Locale;
  note: string | null;
  expires_at: Date;
  status: string;
  failure_reason: string | null;
  attempt: number;
  send_after: Date | null;
  provider_id: string | null;
  accepted_account_id: number | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface Target {
  professionalId: number | null;
  structureId: number | null;
  name: string;
}

async function resolveTarget(db: Knex, input: NewInvitation, inactivityDays: number) {
  if (input.professionalId) {
    const pro = await db('professionals')
      .where({ id: input.professionalId })
      .first('id', 'first_name', 'last_name');
    if (!pro) throw invitationErrors.badTarget('This professional is not in the directory');
    const account = await db('accounts')
      .where({ professional_id: pro.id })
      .whereNull('disabled_at')
      .first('id', 'last_active_at');
    const activeSince = Date.now() - inactivityDays * 86_400_000;
    if (account?.last_active_at && new Date(account.last_active_at).getTime() >= activeSince) {
      throw invitationErrors.conflict(
        `${pro.first_name} ${pro.last_name} already uses Relais: write to them directly`,
      );
    }
    return {
      professionalId: pro.id as number,
      structureId: null,
      name: `${pro.first_name} ${pro.last_name}`.trim(),
    } satisfies Target;
  }
  const structure = await db('structures').where({ id: input.structureId }).first('id', 'name');
  if (!structure) throw invitationErrors.badTarget('This structure is not in the directory');
  return { professionalId: null, structureId: structure.id as number, name: structure.name };
}

/** The directory's contact details for the target: its structures' e-mail or mobile. */
async function directoryAddress(db: Knex, target: Target, channel: Channel): Promise<string> {
  const rows: Array<{
    email: string | null;
    phone: string | null;
    departement_code: string | null;
  }> = target.professionalId
    ? await db('activities as a')
        .join('structures as s', 's.id', 'a.structure_id')
        .where('a.professional_id', target.professionalId)
        .orderBy('a.id')
        .select('s.email', 's.phone', 's.departement_code')
    : await db('structures')
        .where({ id: target.structureId })
        .select('email', 'phone', 'departement_code');
  if (channel === 'email') {
    const email = rows.map((r) => r.email?.trim()).find((e) => e && /^[^@\s]+@[^@\s]+$/.test(e));
    if (!email) {
      throw invitationErrors.badTarget(
        `The directory has no e-mail address for ${target.name}: type one you know`,
      );
    }
    return email.toLowerCase();
  }
  for (const row of rows) {
    if (!row.phone) continue;
    try {
      return requireMobile(row.phone, { departement: row.departement_code });
    } catch {
      // a landline: try the next structure
    }
  }
  throw invitationErrors.badTarget(
    `The directory has no mobile number for ${target.name} (SMS go only to mobiles): type one you know, or invite by e-mail`,
  );
}

function typedAddress(channel: Channel, address: string): string {
  if (channel === 'email') return address.trim().toLowerCase();
  try {
    return requireMobile(address);
  } catch (err) {
    if (err instanceof PhoneError) throw invitationErrors.badTarget(err.message);
    throw err;
  }
}

async function requireConversationSeat(db: Knex, accountId: number, conversationId: number) {
  const seat = await db.raw(
    `SELECT 1 FROM conversation_participants p
      WHERE p.conversation_id = ? AND p.left_at IS NULL
        AND (p.account_id = ? OR p.professional_id = (SELECT professional_id FROM accounts WHERE id = ?)
             OR p.structure_id IN (SELECT structure_id FROM structure_members WHERE account_id = ?))
      LIMIT 1`,
    [conversationId, accountId, accountId, accountId],
  );
  if (!seat.rows.length)
    throw invitationErrors.badTarget('You do not take part in this conversation');
}

const LOCK_INVITER = 60601;
const LOCK_TARGET = 60602;

/**
 * Serialises the limit checks of one inviter and one target (advisory locks held until
 * commit), then counts attempts, resends included, over the windows.
 */
export async function checkLimits(
  ctx: AppContext,
  trx: Knex.Transaction,
  inviterId: number,
  target: { address: string; professionalId: number | null },
): Promise<void> {
  const { maxPerInviterPerDay, maxPerTargetPerWeek } = ctx.config.invitations;
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [LOCK_INVITER, inviterId]);
  // One address whatever its case or `+tag` (user+1@x, User+2@x…): the database's
  // invitation_address_key is the one definition, used for the lock and the count.
  await trx.raw('SELECT pg_advisory_xact_lock(?, hashtext(invitation_address_key(?)))', [
    LOCK_TARGET,
    target.address,
  ]);
  const byInviter = await trx('invitation_attempts')
    .where('inviter_account_id', inviterId)
    .where('created_at', '>', trx.raw("now() - interval '1 day'"))
    .select(trx.raw('count(*)::int AS n, min(created_at) AS oldest'))
    .first();
  if (byInviter.n >= maxPerInviterPerDay) {
    const retry = (new Date(byInviter.oldest).getTime() + 86_400_000 - Date.now()) / 1000;
    throw invitationErrors.tooMany(
      `You have sent ${byInviter.n} invitations in the last 24 hours, the most allowed: try again later`,
      retry,
    );
  }
  const byTarget = await trx('invitation_attempts')
    .where((q) => {
      q.whereRaw('invitation_address_key(address) = invitation_address_key(?)', [target.address]);
      if (target.professionalId) q.orWhere('professional_id', target.professionalId);
    })
    .where('created_at', '>', trx.raw("now() - interval '7 days'"))
    .select(trx.raw('count(*)::int AS n, min(created_at) AS oldest'))
    .first();
  if (byTarget.n >= maxPerTargetPerWeek) {
    const retry = (new Date(byTarget.oldest).getTime() + 7 * 86_400_000 - Date.now()) / 1000;
    throw invitationErrors.tooMany(
      `This person has already been invited ${byTarget.n} times this week, the most allowed: try again later`,
      retry,
    );
  }
}

export function sendAfterFor(ctx: AppContext, channel: Channel, now: Date): Date | null {
  if (channel !== 'sms') return null;
  const delay = quietHoursDelayMs(now, ctx.config.invitations);
  return delay > 0 ? new Date(now.getTime() + delay) : null;
}

export interface CreatedInvitation {
  invitation: InvitationRow;
  /** False when Redis did not take the job: the sweep will (status stays queued). */
  enqueued: boolean;
}

/**
 * Invites a professional or a structure (S14, S15). The invitation and its first
 * delivery attempt are committed before the job is enqueued: a crash in between leaves a
 * queued invitation that the sweep picks up.
 */
export async function inviteProfessional(
  ctx: AppContext,
  inviter: Inviter,
  input: NewInvitation,
  { now = ctx.now() }: { now?: Date } = {},
): Promise<CreatedInvitation> {
  const { db, config } = ctx;
  if (!input.professionalId === !input.structureId) {
    throw invitationErrors.badTarget('Invite either a professional or a structure');
  }
  const target = await resolveTarget(db, input, config.inactivityDays);
  const address = input.address
    ? typedAddress(input.channel, input.address)
    : await directoryAddress(db, target, input.channel);
  if (input.conversationId)
    await requireConversationSeat(db, inviter.accountId, input.conversationId);

  const token = newInvitationToken();
  const sendAfter = sendAfterFor(ctx, input.channel, now);
  const invitation = await db.transaction(async (trx) => {
    await checkLimits(ctx, trx, inviter.accountId, {
      address,
      professionalId: target.professionalId,
    });
    const [row] = (await trx('invitations')
      .insert({
        inviter_account_id: inviter.accountId,
        professional_id: target.professionalId,
        structure_id: target.structureId,
        conversation_id: input.conversationId ?? null,
        channel: input.channel,
        address,
        address_source: input.address ? 'typed' : 'directory',
        locale: input.locale ?? 'fr',
        note: input.note?.trim() || null,
        token_hash: hashInvitationToken(token),
        expires_at: new Date(now.getTime() + config.invitations.ttlDays * 86_400_000),
        send_after: sendAfter,
      })
      .returning('*')) as InvitationRow[];
    await trx('invitation_attempts').insert({
      invitation_id: row!.id,
      attempt: 1,
      inviter_account_id: inviter.accountId,
      professional_id: target.professionalId,
      structure_id: target.structureId,
      address,
      channel: input.channel,
      pending_token: token,
    });
    return row!;
  });
  const delivery: DeliveryToEnqueue = {
    invitationId: invitation.id,
    attempt: 1,
    channel: input.channel,
    sendAfter,
  };
  const enqueued = await enqueueAfterCommit(ctx, [delivery]);
  return { invitation, enqueued };
}
