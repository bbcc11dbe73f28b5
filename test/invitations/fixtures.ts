import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../domain/context';

/** A directory professional practising in a structure (contact details of the structure). */
export async function directoryProfessional(
  ctx: AppContext,
  fields: {
    firstName?: string;
    lastName?: string;
    email?: string | null;
    phone?: string | null;
    departement?: string | null;
    profession?: string;
    structureName?: string;
  } = {},
) {
  const n = randomBytes(4).toString('hex');
  const [structure] = await ctx
    .db('structures')
    .insert({
      structure_key: `F${n}`,
      name: fields.structureName ?? `Centre ${n}`,
      email: fields.email === undefined ? `contact-${n}@centre.test` : fields.email,
      phone: fields.phone === undefined ? '0381385454' : fields.phone,
      departement_code: fields.departement ?? '25',
    })
    .returning('*');
  const [professional] = await ctx
    .db('professionals')
    .insert({
      national_id: `8${n}`,
      id_type: '8',
      identifier: n,
      first_name: fields.firstName ?? 'Romain',
      last_name: fields.lastName ?? `LEGER${n}`,
      profession_code: '10',
      profession_label: fields.profession ?? 'Médecin',
    })
    .returning('*');
  await ctx
    .db('activities')
    .insert({ professional_id: professional.id, structure_id: structure.id });
  return { professional, structure };
}

/** A conversation with clinical content, waiting for a professional. */
export async function clinicalConversation(
  ctx: AppContext,
  creatorAccountId: number,
  professionalId: number,
) {
  const [conversation] = await ctx
    .db('conversations')
    .insert({
      subject: 'Suivi insuffisance cardiaque',
      patient: JSON.stringify({ reference: 'DUPONTEL Germaine 1942' }),
      patient_key: 'ref:dupontel germaine 1942',
      created_by: creatorAccountId,
      last_seq: 1,
    })
    .returning('*');
  await ctx.db('conversation_participants').insert([
    { conversation_id: conversation.id, kind: 'account', account_id: creatorAccountId },
    { conversation_id: conversation.id, kind: 'professional', professional_id: professionalId },
  ]);
  await ctx.db('messages').insert({
    id: crypto.randomUUID(),
    conversation_id: conversation.id,
    seq: 1,
    sender_account_id: creatorAccountId,
    body: 'Kaliémie à 6,2 ce matin, que proposez-vous ?',
  });
  return conversation;
}

export const CLINICAL_WORDS = ['insuffisance', 'cardiaque', 'DUPONTEL', 'Germaine', 'Kali', '6,2'];

export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  { timeout = 15_000, interval = 50 } = {},
): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, interval));
  }
}
