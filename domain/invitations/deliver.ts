import type { AppContext } from '../context';
import { DeliveryError, type Mailer, type SmsSender } from '../delivery';
import type { InvitationDelivery } from '../jobs/queues';
import type { Locale } from '../models';
import { Batcher } from './batcher';
import { type InvitationContent, renderInvitationEmail, renderInvitationSms } from './messages';
import { hashInvitationToken, joinUrl } from './tokens';

export interface Transports {
  mailer: Mailer;
  sms: SmsSender;
}

export type DeliveryOutcome =
  | 'sent'
  | 'already-sent'
  | 'found-sent'
  | 'superseded'
  | 'not-needed'
  | 'missing';

/** Test seams around the one side effect (used to kill a worker at a precise point). */
export interface DeliveryHooks {
  beforeSend?(): Promise<void> | void;
  afterRecord?(): Promise<void> | void;
  afterSent?(): Promise<void> | void;
}

interface Claim {
  previous_state: 'queued' | 'sending' | 'sent' | 'failed';
  previous_started_at: Date | null;
  claimed: boolean;
  pending_token: string | null;
  channel: 'email' | 'sms';
  address: string;
  locale: Locale;
  note: string | null;
  expires_at: Date;
  token_hash: Buffer;
  inviter_name: string;
  inviter_profession: string | null;
  inviter_structure: string | null;
  invitee_name: string | null;
  invitee_has_account: boolean;
}

/**
 * Claims attempts (queued or in doubt → sending) in one statement for a batch of jobs and
 * reads what the messages need. Only an attempt that is its invitation's current one, of
 * an invitation still queued and not expired, is claimed. Rows are locked in id order.
 */
const CLAIM_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(CAST(? AS jsonb)) AS t(id bigint, attempt int)
), cur AS (
  SELECT a.invitation_id, a.attempt, a.state, a.started_at
    FROM invitation_attempts a
    JOIN input ON input.id = a.invitation_id AND input.attempt = a.attempt
    JOIN invitations i ON i.id = a.invitation_id
   WHERE i.attempt = a.attempt AND i.status = 'queued' AND i.expires_at > now()
   ORDER BY a.invitation_id, a.attempt
     FOR UPDATE OF a
), claimed AS (
  UPDATE invitation_attempts a
     SET state = 'sending', tries = a.tries + 1, started_at = now()
    FROM cur
   WHERE a.invitation_id = cur.invitation_id AND a.attempt = cur.attempt
     AND cur.state IN ('queued', 'sending')
  RETURNING a.invitation_id, a.attempt, a.pending_token
)
SELECT cur.invitation_id, cur.attempt,
       cur.state AS previous_state, cur.started_at AS previous_started_at,
       (claimed.invitation_id IS NOT NULL) AS claimed, claimed.pending_token,
       i.channel, i.address, i.locale, i.note, i.expires_at, i.token_hash,
       trim(ia.first_name || ' ' || ia.last_name) AS inviter_name,
       COALESCE(ip.speciality_label, ip.profession_label) AS inviter_profession,
       (SELECT s.name FROM structure_members sm JOIN structures s ON s.id = sm.structure_id
         WHERE sm.account_id = ia.id ORDER BY sm.attached_at LIMIT 1) AS inviter_structure,
       COALESCE(NULLIF(trim(tp.first_name || ' ' || tp.last_name), ''), ts.name) AS invitee_name,
       EXISTS (SELECT 1 FROM accounts ta WHERE ta.professional_id = tp.id) AS invitee_has_account
  FROM cur
  LEFT JOIN claimed ON claimed.invitation_id = cur.invitation_id AND claimed.attempt = cur.attempt
  JOIN invitations i ON i.id = cur.invitation_id
  JOIN accounts ia ON ia.id = i.inviter_account_id
  LEFT JOIN professionals ip ON ip.id = ia.professional_id
  LEFT JOIN professionals tp ON tp.id = i.professional_id
  LEFT JOIN structures ts ON ts.id = i.structure_id`;

/** Records a batch of sends: attempt sent (token dropped), invitation sent. */
const MARK_SENT_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(CAST(? AS jsonb)) AS t(id bigint, attempt int, provider_id text)
), a AS (
  UPDATE invitation_attempts x
     SET state = 'sent', provider_id = input.provider_id, finished_at = now(),
         pending_token = NULL, error = NULL
    FROM input
   WHERE x.invitation_id = input.id AND x.attempt = input.attempt
  RETURNING x.invitation_id
)
UPDATE invitations i
   SET status = 'sent', sent_at = now(), provider_id = input.provider_id, send_after = NULL,
       updated_at = now()
  FROM input
 WHERE i.id = input.id AND i.attempt = input.attempt AND i.status = 'queued'`;

type ClaimRow = Claim & { invitation_id: number | string; attempt: number };

const batchers = new WeakMap<
  AppContext,
  {
    claim: Batcher<InvitationDelivery, Claim | undefined>;
    mark: Batcher<InvitationDelivery & { providerId: string }, void>;
  }
>();

function batchersOf(ctx: AppContext) {
  let b = batchers.get(ctx);
  if (!b) {
    b = {
      claim: new Batcher(async (inputs) => {
        const result = await ctx.db.raw(CLAIM_SQL, [
          JSON.stringify(inputs.map((d) => ({ id: d.invitationId, attempt: d.attempt }))),
        ]);
        const byKey = new Map<string, Claim>();
        for (const row of result.rows as ClaimRow[])
          byKey.set(`${row.invitation_id}-${row.attempt}`, row);
        return inputs.map((d) => byKey.get(`${d.invitationId}-${d.attempt}`));
      }),
      mark: new Batcher(async (inputs) => {
        await ctx.db.raw(MARK_SENT_SQL, [
          JSON.stringify(
            inputs.map((d) => ({
              id: d.invitationId,
              attempt: d.attempt,
              provider_id: d.providerId,
            })),
          ),
        ]);
        return inputs.map(() => undefined);
      }),
    };
    batchers.set(ctx, b);
  }
  return b;
}

export function invitationContent(ctx: AppContext, claim: Claim, token: string): InvitationContent {
  return {
    locale: claim.locale,
    inviterName: claim.inviter_name || 'Un collègue',
    inviterProfession: claim.inviter_profession,
    inviterStructure: claim.inviter_structure,
    inviteeName: claim.invitee_name,
    returning: claim.invitee_has_account,
    note: claim.note,
    link: joinUrl(ctx.config.publicUrl, token),
    expiresAt: claim.expires_at,
  };
}

/** Marks the attempt and the invitation failed (permanent failure, or retries exhausted). */
export async function markDeliveryFailed(
  ctx: AppContext,
  d: InvitationDelivery,
  reason: string,
): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await trx('invitation_attempts')
      .where({ invitation_id: d.invitationId, attempt: d.attempt })
      .update({ state: 'failed', error: reason, finished_at: trx.fn.now(), pending_token: null });
    await trx('invitations')
      .where({ id: d.invitationId, attempt: d.attempt })
      .whereIn('status', ['queued'])
      .update({ status: 'failed', failure_reason: reason, updated_at: trx.fn.now() });
  });
}

async function outcomeWithoutClaim(
  ctx: AppContext,
  d: InvitationDelivery,
): Promise<DeliveryOutcome> {
  const row = await ctx
    .db('invitation_attempts as a')
    .join('invitations as i', 'i.id', 'a.invitation_id')
    .where({ 'a.invitation_id': d.invitationId, 'a.attempt': d.attempt })
    .first('a.state', 'i.attempt', 'i.status');
  if (!row) return 'missing';
  if (row.state === 'sent') {
    // Sent, but the job died before BullMQ heard of it: nothing to send again.
    return 'already-sent';
  }
  if (row.attempt !== d.attempt) return 'superseded';
  return 'not-needed'; // revoked, accepted, expired or failed
}

/**
 * Delivers one attempt of an invitation, at most once:
 *  1. the attempt is claimed (recorded as "sending") before anything is sent;
 *  2. a retry that finds it "sent" sends nothing;
 *  3. a retry that finds it still "sending" (the previous run died during the send) asks
 *     Twilio's log whether the SMS went out before sending it again; for e-mail, SMTP has
 *     no such log: the message is sent again with the same Message-ID (see
 *     docs/invitations.md for what that window means).
 * Throws DeliveryError for failures; the worker decides retry or not.
 */
export async function deliverInvitation(
  ctx: AppContext,
  transports: Transports,
  d: InvitationDelivery,
  hooks: DeliveryHooks = {},
): Promise<DeliveryOutcome> {
  const claim = await batchersOf(ctx).claim.call(d);
  if (!claim?.claimed) return outcomeWithoutClaim(ctx, d);
  const token = claim.pending_token;
  if (!token) {
    await markDeliveryFailed(ctx, d, 'link lost: resend the invitation');
    return 'not-needed';
  }
  await hooks.afterRecord?.();

  if (claim.previous_state === 'sending' && claim.channel === 'sms') {
    const since = new Date((claim.previous_started_at ?? new Date()).getTime() - 60_000);
    const log = await transports.sms.sentSince(claim.address, since);
    const tokenHash = claim.token_hash.toString('hex');
    const found = log.find((m) => {
      const t = /\/join\/([A-Za-z0-9_-]{32})/.exec(m.body)?.[1];
      return t && hashInvitationToken(t).toString('hex') === tokenHash;
    });
    if (found) {
      await batchersOf(ctx).mark.call({ ...d, providerId: found.providerId });
      return 'found-sent';
    }
  }

  const content = invitationContent(ctx, claim, token);
  await hooks.beforeSend?.();
  let providerId: string;
  if (claim.channel === 'email') {
    const email = renderInvitationEmail(content);
    ({ providerId } = await transports.mailer.send({
      to: claim.address,
      ...email,
      messageId: `<invitation-${d.invitationId}-${d.attempt}@${new URL(ctx.config.publicUrl).hostname}>`,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Relais-Kind': 'invitation' },
    }));
  } else {
    ({ providerId } = await transports.sms.send({
      to: claim.address,
      body: renderInvitationSms(content),
      statusCallback: `${ctx.config.publicUrl}/api/webhooks/twilio/status`,
    }));
  }
  await batchersOf(ctx).mark.call({ ...d, providerId });
  await hooks.afterSent?.();
  return 'sent';
}

/** After a failed try that will be retried: the attempt was not sent, back to queued. */
export async function releaseAttempt(
  ctx: AppContext,
  d: InvitationDelivery,
  error: string,
): Promise<void> {
  await ctx
    .db('invitation_attempts')
    .where({ invitation_id: d.invitationId, attempt: d.attempt, state: 'sending' })
    .update({ state: 'queued', error });
}

export { DeliveryError };
