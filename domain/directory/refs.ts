import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import type { EntryRef } from './entries';

/** An entry as the API names it: `professional/123` or `structure/45`. */
export type EntryKind = 'professional' | 'structure';

export function toRef(kind: EntryKind, id: number): EntryRef {
  return { kind: kind === 'professional' ? 'p' : 's', id };
}

/** The (professional_id, structure_id) pair of a favourite or group member row. */
export function columnsOf(ref: EntryRef): {
  professional_id: number | null;
  structure_id: number | null;
} {
  return ref.kind === 'p'
    ? { professional_id: ref.id, structure_id: null }
    : { professional_id: null, structure_id: ref.id };
}

export function refOf(row: {
  professional_id: number | null;
  structure_id: number | null;
}): EntryRef {
  return row.professional_id != null
    ? { kind: 'p', id: row.professional_id }
    : { kind: 's', id: row.structure_id! };
}

export async function assertExists(db: Knex, ref: EntryRef): Promise<void> {
  const table = ref.kind === 'p' ? 'professionals' : 'structures';
  const found = await db(table).where('id', ref.id).first('id');
  if (!found) {
    throw Boom.notFound(ref.kind === 'p' ? 'No such professional' : 'No such structure');
  }
}
