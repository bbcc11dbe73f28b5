import type { Knex } from 'knex';
import { createSession, hashPassword } from '../accounts';
import type { AppContext } from '../context';
import { audienceOf, loadConversation } from '../conversations';
import { NOW_MS } from '../conversations/load';
import { verifyIdentity } from '../identity/verify';
import type { Locale } from '../models';
import { publishEvent } from '../realtime';
import { recordMembershipRequest } from '../structures';
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

/** The invitation of a token read again under a row lock, so that a link is used once. */
async function findLocked(ctx: AppContext, trx: Knex.Transaction, token: string) {
  const locked = await trx('invitations')
    .where('token_hash', hashInvitationToken(token))
    .forUpdate()
    .first('id');
  return locked ? findByToken({ ...ctx, db: trx }, token) : undefined;
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
      // A directory contact address is often a practice's shared contact@: it proves
      // nothing about who opens the link, so it is never offered as their sign-in e-mail.
      email: row.channel === 'email' && row.address_source === 'typed' ? row.address : null,
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
  /** The conversations the new account sees: only the one the inviter shared, if any. */
  conversationIds: number[];
  /** The invitation's own conversation, if it named one. */
  conversationId: number | null;
}

/**
 * Joining through an invitation (S16). Holding the link proves control of an address,
 * nothing more (issue 10), so the new account:
 * - is NOT bound to the invited professional: the claim is kept
 *   (`claimed_professional_id`) until `verifyIdentity` confirms it;
 * - is NOT made a member of an invited structure: a membership request waits for the
 *   structure's administrators;
 * - gets its own seat in the one conversation the inviter chose to share, so the access
 *   layer (domain/conversations/access.ts) shows it that conversation and nothing else.
 * The link is checked before the password is hashed (argon2 is the expensive part), then
 * again under a row lock in the transaction, so it cannot be used twice.
 */
export async function acceptInvitation(
  ctx: AppContext,
  token: string,
  input: JoinInput,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<Joined> {
  const early = stateOf(await findByToken(ctx, token));
  if (early !== 'valid') throw new LinkUnusableError(early);
  const passwordHash = await hashPassword(input.password);
  const { accountId, invitation } = await ctx.db.transaction(async (trx) => {
    const row = await findLocked(ctx, trx, token);
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
        professional_id: null,
        claimed_professional_id: row.professional_id,
        invitation_id: row.id,
        identity_verified: false,
        email,
        mobile: row.channel === 'sms' ? row.address : null,
        password_hash: passwordHash,
        first_name: input.firstName.trim(),
        last_name: input.lastName.trim(),
        locale: input.locale ?? row.locale,
      })
      .returning('id');
    const accountId = Number(account.id);
    await redeemInvitation(trx, row, accountId);
    return { accountId, invitation: row };
  });

  const session = await createSession(ctx, accountId, 'invitation', meta);
  const conversationId: number | null = invitation.conversation_id
    ? Number(invitation.conversation_id)
    : null;
  if (conversationId) await announceNewcomer(ctx, conversationId, accountId);
  return {
    accountId,
    token: session.token,
    expiresAt: session.expiresAt,
    conversationIds: conversationId ? [conversationId] : [],
    conversationId,
  };
}

/**
 * What using a link gives the account that used it, whatever the way it signed up
 * (password form or Pro Santé Connect): a membership request for an invited structure,
 * its own seat in the conversation the inviter shared, and the link used up. Only this
 * link: the professional's other invitations stay open until the identity is verified,
 * so the real person can still join through their own. Returns whether a seat was added.
 */
async function redeemInvitation(
  trx: Knex.Transaction,
  // biome-ignore lint/suspicious/noExplicitAny: a row of findByToken
  row: any,
  accountId: number,
): Promise<boolean> {
  if (row.structure_id) {
    await recordMembershipRequest(trx, {
      structureId: row.structure_id,
      accountId,
      invitationId: row.id,
    });
  }
  let seated = false;
  if (row.conversation_id) {
    // An account bound to a professional may already sit there as that professional.
    const account = await trx('accounts').where({ id: accountId }).first('professional_id');
    const present = await trx('conversation_participants')
      .where({ conversation_id: row.conversation_id })
      .where((q) => {
        q.where({ account_id: accountId });
        if (account?.professional_id) q.orWhere({ professional_id: account.professional_id });
      })
      .first('conversation_id');
    if (!present) {
      await shareConversation(trx, row, accountId);
      seated = true;
    }
  }
  await trx('invitations').where({ id: row.id }).update({
    status: 'accepted',
    accepted_account_id: accountId,
    updated_at: trx.fn.now(),
    accepted_at: trx.fn.now(),
  });
  return seated;
}

/** A verified join may use a link whose professional already has an account (it is theirs). */
const usableVerified = (state: LinkState) => state === 'valid' || state === 'has-account';

/**
 * Throws LinkUnusableError unless the link can still be used by a verified join: Pro
 * Santé Connect's start checks it at once, rather than after the round-trip to the
 * provider (acceptInvitationVerified checks again, under a lock).
 */
export async function checkLinkForVerifiedJoin(ctx: AppContext, token: string): Promise<void> {
  const state = stateOf(await findByToken(ctx, token));
  if (!usableVerified(state)) throw new LinkUnusableError(state as Exclude<LinkState, 'valid'>);
}

/**
 * Joining through an invitation with an identity Pro Santé Connect verified: the link is
 * used as in `acceptInvitation`, but by the account bound to that professional (created,
 * verified, if there is none). The professional may differ from the one invited: holding
 * the link still only proves control of the address, and the verified identity is the
 * one that counts. Returns the account; the caller opens the session.
 */
export async function acceptInvitationVerified(
  ctx: AppContext,
  token: string,
  person: { professionalId: number; firstName: string; lastName: string },
): Promise<{ accountId: number; conversationId: number | null }> {
  await checkLinkForVerifiedJoin(ctx, token);
  const { accountId, row, seated } = await ctx.db.transaction(async (trx) => {
    const row = await findLocked(ctx, trx, token);
    const state = stateOf(row);
    if (!usableVerified(state)) throw new LinkUnusableError(state as Exclude<LinkState, 'valid'>);
    const holder = await trx('accounts')
      .where({ professional_id: person.professionalId })
      .first('id');
    let accountId: number;
    if (holder) {
      accountId = Number(holder.id);
    } else {
      // A typed address was proven by the link; a directory one may be a shared contact@.
      const email =
        row.channel === 'email' && row.address_source === 'typed'
          ? String(row.address).toLowerCase()
          : null;
      const taken = email
        ? await trx('accounts').whereRaw('lower(email) = ?', [email]).first('id')
        : null;
      const [account] = await trx('accounts')
        .insert({
          professional_id: null,
          claimed_professional_id: person.professionalId,
          invitation_id: row.id,
          identity_verified: false,
          email: taken ? null : email,
          mobile: row.channel === 'sms' ? row.address : null,
          first_name: person.firstName,
          last_name: person.lastName,
          locale: row.locale,
        })
        .returning('id');
      accountId = Number(account.id);
    }
    const seated = await redeemInvitation(trx, row, accountId);
    if (!holder) {
      await verifyIdentity({ ...ctx, db: trx }, accountId, person.professionalId, {
        by: null,
        method: 'pro-sante-connect',
      });
    }
    return { accountId, row, seated };
  });
  const conversationId: number | null = row.conversation_id ? Number(row.conversation_id) : null;
  if (seated && conversationId) await announceNewcomer(ctx, conversationId, accountId);
  return { accountId, conversationId };
}

/** The newcomer's own seat in the conversation the inviter shared (kind 'account'). */
async function shareConversation(
  trx: Knex.Transaction,
  row: { conversation_id: number; inviter_account_id: number },
  accountId: number,
) {
  await trx('conversation_participants').insert({
    conversation_id: row.conversation_id,
    kind: 'account',
    account_id: accountId,
    added_by: row.inviter_account_id,
  });
  await trx('conversations')
    .where({ id: row.conversation_id })
    .update({ last_activity_at: trx.raw(NOW_MS) });
}

/** The other participants learn that someone joined (as when a participant is added). */
async function announceNewcomer(ctx: AppContext, conversationId: number, accountId: number) {
  try {
    const [conversation, audience] = await Promise.all([
      loadConversation(ctx.db, conversationId, ctx.config.inactivityDays),
      audienceOf(ctx.db, conversationId),
    ]);
    await publishEvent(ctx, audience, {
      type: 'participants.changed',
      conversation,
      added: [{ kind: 'account', id: accountId }],
      removed: [],
    });
  } catch (err) {
    // The account exists and the seat is committed: clients catch up on their next sync.
    ctx.logger.warn({ err, conversationId }, 'join not announced');
  }
}
