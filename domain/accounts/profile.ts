import Boom from '@hapi/boom';
import type { AppContext } from '../context';
import { Account } from '../models';

export interface MemberStructure {
  id: number;
  name: string;
  city: string | null;
  role: 'member' | 'manager';
}

/** The directory's entry of a bound account, shown beside what Pro Santé Connect said. */
export interface DirectoryIdentity {
  nationalId: string;
  professionCode: string | null;
  profession: string | null;
  specialityCode: string | null;
  speciality: string | null;
  /** Where the directory says the professional works (its activities' structures). */
  places: DirectoryPlace[];
}

export interface DirectoryPlace {
  structureName: string;
  finessSite: string | null;
  city: string | null;
  practiceMode: string | null;
}

export async function loadDirectoryIdentity(
  ctx: AppContext,
  professionalId: number | null,
): Promise<DirectoryIdentity | null> {
  if (professionalId === null) return null;
  const p = await ctx
    .db('professionals')
    .where({ id: professionalId })
    .first(
      'id',
      'national_id',
      'profession_code',
      'profession_label',
      'speciality_code',
      'speciality_label',
    );
  if (!p) return null;
  const places = await ctx
    .db('activities as a')
    .join('structures as s', 's.id', 'a.structure_id')
    .where('a.professional_id', p.id)
    .orderBy('s.name')
    .limit(50)
    .select<
      { name: string; finess_site: string | null; city: string | null; mode: string | null }[]
    >('s.name', 's.finess_site', 's.city', 'a.practice_mode_label as mode');
  return {
    nationalId: p.national_id,
    professionCode: p.profession_code,
    profession: p.profession_label,
    specialityCode: p.speciality_code,
    speciality: p.speciality_label,
    places: places.map((x) => ({
      structureName: x.name,
      finessSite: x.finess_site,
      city: x.city,
      practiceMode: x.mode,
    })),
  };
}

/** The signed-in account and the structures it answers for (S19). */
export async function loadProfile(
  ctx: AppContext,
  accountId: number,
): Promise<{ account: Account; structures: MemberStructure[] }> {
  const [account, structures] = await Promise.all([
    Account.query(ctx.db).findById(accountId),
    ctx
      .db('structure_members as m')
      .join('structures as s', 's.id', 'm.structure_id')
      .where('m.account_id', accountId)
      .orderBy('s.name')
      .select<MemberStructure[]>('s.id', 's.name', 's.city', 'm.role'),
  ]);
  if (!account) throw Boom.unauthorized('Account no longer exists');
  return { account, structures };
}
