import type { Knex } from 'knex';
import type { Reader } from './access';
import { fieldError } from './errors';

/**
 * Participants are typed references: a professional of the directory (whether or not they
 * have an account yet), a structure, or an account without a professional (bots).
 */
export type ParticipantKind = 'professional' | 'structure' | 'account';

export interface ParticipantRef {
  kind: ParticipantKind;
  id: number;
}

export const refKey = (ref: ParticipantRef): string => `${ref.kind}:${ref.id}`;

/** The row columns of a participant reference. */
export function refColumns(ref: ParticipantRef) {
  return {
    kind: ref.kind,
    professional_id: ref.kind === 'professional' ? ref.id : null,
    structure_id: ref.kind === 'structure' ? ref.id : null,
    account_id: ref.kind === 'account' ? ref.id : null,
  };
}

/** How a reader takes part in person: through their directory entry when they have one. */
export function personalRef(reader: Reader): ParticipantRef {
  return reader.professionalId
    ? { kind: 'professional', id: reader.professionalId }
    : { kind: 'account', id: reader.accountId };
}

/** The author's own seat for a new conversation: in person, or on behalf of a structure. */
export async function authorRef(
  db: Knex,
  reader: Reader,
  onBehalfOf: number | null | undefined,
): Promise<ParticipantRef> {
  if (!onBehalfOf) return personalRef(reader);
  const member = await db('structure_members')
    .where({ structure_id: onBehalfOf, account_id: reader.accountId })
    .first('structure_id');
  if (!member) throw fieldError('onBehalfOf', 'You are not attached to this structure');
  return { kind: 'structure', id: onBehalfOf };
}

/**
 * Checks that every recipient exists and normalises them: an account that has a directory
 * entry takes part as that professional, duplicates collapse. Throws 400 naming
 * `<field>.<index>` for the first unknown one, so nothing is stored.
 */
export async function resolveRecipients(
  db: Knex,
  recipients: ParticipantRef[],
  field = 'recipients',
): Promise<ParticipantRef[]> {
  if (recipients.length === 0) throw fieldError(field, 'At least one recipient is required');
  const ids = (kind: ParticipantKind) => recipients.filter((r) => r.kind === kind).map((r) => r.id);
  const [professionals, structures, accounts] = await Promise.all([
    db('professionals').whereIn('id', ids('professional')).pluck('id'),
    db('structures').whereIn('id', ids('structure')).pluck('id'),
    db('accounts')
      .whereIn('id', ids('account'))
      .whereNull('disabled_at')
      .select('id', 'professional_id'),
  ]);
  const found = {
    professional: new Set<number>(professionals.map(Number)),
    structure: new Set<number>(structures.map(Number)),
    account: new Map<number, number | null>(
      accounts.map((a: { id: number; professional_id: number | null }) => [
        Number(a.id),
        a.professional_id,
      ]),
    ),
  };
  const out = new Map<string, ParticipantRef>();
  recipients.forEach((r, index) => {
    const exists = r.kind === 'account' ? found.account.has(r.id) : found[r.kind].has(r.id);
    if (!exists) throw fieldError(`${field}.${index}`, `Unknown recipient ${r.kind} ${r.id}`);
    const linked = r.kind === 'account' ? found.account.get(r.id) : null;
    const ref: ParticipantRef = linked ? { kind: 'professional', id: linked } : r;
    out.set(refKey(ref), ref);
  });
  return [...out.values()];
}

/** A participant as every reader sees it (no per-reader data: it travels in events). */
export interface ParticipantView {
  kind: ParticipantKind;
  id: number;
  name: string;
  firstName: string | null;
  lastName: string | null;
  profession: string | null;
  city: string | null;
  /** People: 'active' (signed in within the inactivity window), 'inactive' or 'none' (S10). */
  accountStatus: 'active' | 'inactive' | 'none' | null;
  /** Structures: how many accounts are attached to answer for it (0: may go unanswered, S13). */
  members: number | null;
  /**
   * False for an account created from an invitation link whose identity no administrator
   * has confirmed yet: everyone sees it marked "identité non vérifiée" (issue 10). Directory
   * professionals and structures are true (an account bound to a professional is verified).
   */
  identityVerified: boolean;
  /** People and bots: 'bot' is shown with the "Automatisé" badge (issue 12); null: structures. */
  accountKind: 'person' | 'bot' | null;
  addedAt: string;
}

interface ParticipantRow {
  conversation_id: number;
  kind: ParticipantKind;
  professional_id: number | null;
  structure_id: number | null;
  account_id: number | null;
  added_at: Date;
  pro_first: string | null;
  pro_last: string | null;
  profession_label: string | null;
  structure_name: string | null;
  structure_city: string | null;
  acc_id: number | null;
  acc_first: string | null;
  acc_last: string | null;
  acc_active: boolean | null;
  acc_verified: boolean | null;
  acc_kind: 'person' | 'bot' | null;
  members: number | null;
}

/** Current participants of several conversations, keyed by conversation id. */
export async function participantsOf(
  db: Knex,
  conversationIds: number[],
  inactivityDays: number,
): Promise<Map<number, ParticipantView[]>> {
  const result = new Map<number, ParticipantView[]>(conversationIds.map((id) => [id, []]));
  if (conversationIds.length === 0) return result;
  const { rows } = await db.raw(
    `SELECT p.conversation_id, p.kind, p.professional_id, p.structure_id, p.account_id, p.added_at,
            pr.first_name AS pro_first, pr.last_name AS pro_last, pr.profession_label,
            s.name AS structure_name, s.city AS structure_city,
            acc.id AS acc_id, acc.first_name AS acc_first, acc.last_name AS acc_last,
            (acc.last_active_at > now() - make_interval(days => ?)) AS acc_active,
            acc.identity_verified AS acc_verified, acc.kind AS acc_kind,
            CASE WHEN p.structure_id IS NOT NULL THEN
              (SELECT count(*) FROM structure_members m WHERE m.structure_id = p.structure_id)::int
            END AS members
       FROM conversation_participants p
       LEFT JOIN professionals pr ON pr.id = p.professional_id
       LEFT JOIN structures s ON s.id = p.structure_id
       LEFT JOIN accounts acc ON acc.disabled_at IS NULL
            AND (acc.id = p.account_id OR acc.professional_id = p.professional_id)
      WHERE p.conversation_id = ANY(?) AND p.left_at IS NULL
      ORDER BY p.conversation_id, p.id`,
    [inactivityDays, conversationIds],
  );
  for (const r of rows as ParticipantRow[]) {
    result.get(Number(r.conversation_id))?.push(toView(r));
  }
  return result;
}

function toView(r: ParticipantRow): ParticipantView {
  const base = { addedAt: new Date(r.added_at).toISOString() };
  const status = r.acc_id ? (r.acc_active ? 'active' : 'inactive') : 'none';
  if (r.kind === 'structure') {
    return {
      ...base,
      kind: 'structure',
      id: Number(r.structure_id),
      name: r.structure_name ?? '',
      firstName: null,
      lastName: null,
      profession: null,
      city: r.structure_city,
      accountStatus: null,
      members: r.members ?? 0,
      identityVerified: true,
      accountKind: null,
    };
  }
  const first = r.kind === 'professional' ? r.pro_first : r.acc_first;
  const last = r.kind === 'professional' ? r.pro_last : r.acc_last;
  return {
    ...base,
    kind: r.kind,
    id: Number(r.kind === 'professional' ? r.professional_id : r.account_id),
    name: [first, last].filter(Boolean).join(' '),
    firstName: first,
    lastName: last,
    profession: r.profession_label,
    city: null,
    accountStatus: status,
    members: null,
    identityVerified: r.kind === 'professional' || r.acc_verified !== false,
    accountKind: r.kind === 'professional' ? 'person' : (r.acc_kind ?? 'person'),
  };
}
