import { createSession, hashPassword } from '../accounts';
import type { AppContext } from '../context';
import type { Locale } from '../models';
import { invitationErrors } from './errors';
import { hashInvitationToken, TOKEN_PATTERN } from './tokens';

/** What the sign-up page shows for a link. */
export type LinkState = 'valid' | 'used' | 'expired' | 'revoked' | 'unknown' | 'has-account';

export interface JoinPrefill {
  firstName: string;
  lastName: string;
  profession: string | null;
  structure: string | null;
  email: string | null;
  mobile: string | null;
  locale: Locale;
  inviterName: string;
}

export interface LinkLookup {
  state: LinkState;
  invitationId?: number;
  prefill?: JoinPrefill;
}

async function findByToken(ctx: AppContext, token: string) {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  return ctx
    .db('invitations as i')
    .join('accounts as ia', 'ia.id', 'i.inviter_account_id')
    .leftJoin('professionals as p', 'p.id', 'i.professional_id')
    .leftJoin('structures as s', 's.id', 'i.structure_id')
    .where('i.token_hash', hashInvitationToken(token))
    .first(
      'i.*',
      'p.first_name as p_first_name',
      'p.last_name as p_last_name',
      ctx.db.raw('COALESCE(p.speciality_label, p.profession_label) AS p_profession'),
      's.name as s_name',
      ctx.db.raw("trim(ia.first_name || ' ' || ia.last_name) AS inviter_name"),
      ctx.db.raw(
        '(SELECT id FROM accounts a WHERE a.professional_id = i.professional_id) AS existing_account_id',
      ),
      ctx.db.raw(`(SELECT st.name FROM activities act JOIN structures st ON st.id = act.structure_id
                   WHERE act.professional_id = i.professional_id ORDER BY act.id LIMIT 1) AS p_structure`),
    );
}

function stateOf(row: Record<string, unknown> | undefined): LinkState {
  if (!row) return 'unknown';
  if (row.status === 'accepted') return 'used';
  if (row.status === 'revoked') return 'revoked';
  if (row.status === 'expired' || (row.expires_at as Date).getTime() < Date.now()) return 'expired';
  if (row.existing_account_id) return 'has-account';
  return 'valid';
}

/** The state of an invitation link and, when it is usable, the sign-up form's prefill. */
export async function lookupInvitationLink(ctx: AppContext, token: string): Promise<LinkLookup> {
  const row = await findByToken(ctx, token);
  const state = stateOf(row);
  if (state !== 'valid') return { state };
  return {
    state,
    invitationId: row.id,
    prefill: {
      firstName: row.p_first_name ?? '',
      lastName: row.p_last_name ?? '',
      profession: row.p_profession ?? null,
      structure: row.s_name ?? row.p_structure ?? null,
      email: row.channel === 'email' ? row.address : null,
      mobile: row.channel === 'sms' ? row.address : null,
      locale: row.locale,
      inviterName: row.inviter_name,
    },
  };
}

export interface JoinInput {
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  locale?: Locale;
}

export class LinkUnusableError extends Error {
  constructor(readonly state: Exclude<LinkState, 'valid'>) {
    super(`invitation link ${state}`);
    this.name = 'LinkUnusableError';
  }
}

export interface Joined {
  accountId: number;
  token: string;
  expiresAt: Date;
  /** The conversations that waited for the newcomer (as a professional or a structure). */
  conversationIds: number[];
  /** The invitation's own conversation, if it named one. */
  conversationId: number | null;
}

/**
 * Joining through an invitation (S16): one transaction creates the account linked to the
 * directory professional (or attached to the invited structure), marks this invitation
 * accepted (and the professional's other open invitations, now pointless), so the link
 * cannot be used twice. The conversations naming the professional or structure are then
 * the account's: they were waiting for it.
 */
export async function acceptInvitation(
  ctx: AppContext,
  token: string,
  input: JoinInput,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<Joined> {
  const passwordHash = await hashPassword(input.password);
  const { accountId, invitation } = await ctx.db.transaction(async (trx) => {
    const locked = TOKEN_PATTERN.test(token)
      ? await trx('invitations')
          .where('token_hash', hashInvitationToken(token))
          .forUpdate()
          .first('id')
      : undefined;
    const row = locked ? await findByToken({ ...ctx, db: trx }, token) : undefined;
    const state = stateOf(row);
    if (state !== 'valid') throw new LinkUnusableError(state);
    const email = input.email.trim().toLowerCase();
    const taken = await trx('accounts').whereRaw('lower(email) = ?', [email]).first('id');
    if (taken) {
      throw invitationErrors.conflict(
        'An account already uses this e-mail address: sign in instead, or choose another address',
      );
    }
    const [account] = await trx('accounts')
      .insert({
        professional_id: row.professional_id,
        email,
        mobile: row.channel === 'sms' ? row.address : null,
        password_hash: passwordHash,
        first_name: input.firstName.trim(),
        last_name: input.lastName.trim(),
        locale: input.locale ?? row.locale,
      })
      .returning('id');
    if (row.structure_id) {
      await trx('structure_members')
        .insert({ structure_id: row.structure_id, account_id: account.id })
        .onConflict(['structure_id', 'account_id'])
        .ignore();
    }
    const accepted = {
      status: 'accepted',
      accepted_account_id: account.id,
      updated_at: trx.fn.now(),
    };
    await trx('invitations')
      .where({ id: row.id })
      .update({ ...accepted, accepted_at: trx.fn.now() });
    if (row.professional_id) {
      await trx('invitations')
        .where({ professional_id: row.professional_id })
        .whereIn('status', ['queued', 'sent', 'delivered', 'failed'])
        .update(accepted);
    }
    return { accountId: account.id as number, invitation: row };
  });

  const session = await createSession(ctx, accountId, 'invitation', meta);
  const waiting = await ctx
    .db('conversation_participants')
    .whereNull('left_at')
    .where((q) => {
      if (invitation.professional_id) q.orWhere('professional_id', invitation.professional_id);
      if (invitation.structure_id) q.orWhere('structure_id', invitation.structure_id);
    })
    .distinct('conversation_id')
    .orderBy('conversation_id');
  return {
    accountId,
    token: session.token,
    expiresAt: session.expiresAt,
    conversationIds: waiting.map((w) => Number(w.conversation_id)),
    conversationId: invitation.conversation_id,
  };
}
