import type { AppContext } from '../context';

/** An account waiting for its identity to be confirmed, with what the administrator needs. */
export interface UnverifiedAccount {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  mobile: string | null;
  createdAt: string;
  /** The directory entry the invitation named (null for structure invitations, or rejected). */
  claim: {
    professionalId: number;
    firstName: string;
    lastName: string;
    profession: string | null;
    nationalId: string;
  } | null;
  rejectedAt: string | null;
  /** The invitation the account was created from: who invited, to which address, from where. */
  invitation: {
    id: number;
    channel: 'email' | 'sms';
    address: string;
    addressSource: 'directory' | 'typed';
    structureId: number | null;
    inviter: { accountId: number; firstName: string; lastName: string };
  } | null;
}

/** The installation administrators' queue: unverified accounts, oldest first. */
export async function listUnverifiedAccounts(ctx: AppContext): Promise<UnverifiedAccount[]> {
  const rows = await ctx
    .db('accounts as a')
    .leftJoin('professionals as p', 'p.id', 'a.claimed_professional_id')
    .leftJoin('invitations as i', 'i.id', 'a.invitation_id')
    .leftJoin('accounts as ia', 'ia.id', 'i.inviter_account_id')
    .where('a.identity_verified', false)
    .whereNull('a.disabled_at')
    .orderBy('a.created_at')
    .orderBy('a.id')
    .select(
      'a.id',
      'a.first_name',
      'a.last_name',
      'a.email',
      'a.mobile',
      'a.created_at',
      'a.identity_rejected_at',
      'a.claimed_professional_id',
      'p.first_name as p_first',
      'p.last_name as p_last',
      ctx.db.raw('COALESCE(p.speciality_label, p.profession_label) AS p_profession'),
      'p.national_id as p_national_id',
      'a.invitation_id',
      'i.channel as i_channel',
      'i.address as i_address',
      'i.address_source as i_source',
      'i.structure_id as i_structure',
      'i.inviter_account_id as i_inviter',
      'ia.first_name as ia_first',
      'ia.last_name as ia_last',
    );
  return rows.map(
    // biome-ignore lint/suspicious/noExplicitAny: a row of the query above
    (r: any): UnverifiedAccount => ({
      id: Number(r.id),
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      mobile: r.mobile,
      createdAt: new Date(r.created_at).toISOString(),
      claim: r.claimed_professional_id
        ? {
            professionalId: Number(r.claimed_professional_id),
            firstName: r.p_first,
            lastName: r.p_last,
            profession: r.p_profession,
            nationalId: r.p_national_id,
          }
        : null,
      rejectedAt: r.identity_rejected_at ? new Date(r.identity_rejected_at).toISOString() : null,
      invitation: r.invitation_id
        ? {
            id: Number(r.invitation_id),
            channel: r.i_channel,
            address: r.i_address,
            addressSource: r.i_source,
            structureId: r.i_structure === null ? null : Number(r.i_structure),
            inviter: {
              accountId: Number(r.i_inviter),
              firstName: r.ia_first ?? '',
              lastName: r.ia_last ?? '',
            },
          }
        : null,
    }),
  );
}
