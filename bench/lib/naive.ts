import type { Knex } from 'knex';
import { resolveProfession } from '../../domain/directory/codes';
import type { SearchFilters } from '../../domain/directory/query';

/**
 * The baseline a first version would write: ILIKE '%word%' on the directory tables, the
 * profession on the professional's codes, the place through their activities' structures,
 * sorted by name. Same filters, same page size; no search table, no tokens.
 */
export async function naiveSearch(db: Knex, f: SearchFilters, limit: number): Promise<unknown[]> {
  const words = (f.name ?? '')
    .trim()
    .split(/[\s'-]+/)
    .filter(Boolean);
  const place = (f.place ?? '').trim();
  const codes = f.profession ? resolveProfession(f.profession) : undefined;

  const people = db('professionals as p')
    .select(db.raw("'p' AS kind"), 'p.id', db.raw("p.last_name || ' ' || p.first_name AS name"))
    .where('p.in_directory', true);
  for (const w of words) {
    people.where((q) =>
      q
        .where('p.last_name', 'ilike', `%${w}%`)
        .orWhere('p.first_name', 'ilike', `%${w}%`)
        .orWhere('p.national_id', 'ilike', `%${w}%`),
    );
  }
  if (codes) {
    people.where((q) =>
      q
        .whereIn('p.profession_code', codes.professionCodes)
        .orWhereIn('p.speciality_code', codes.specialityCodes),
    );
  }
  if (place) {
    people.whereExists(
      db('activities as a')
        .join('structures as s', 's.id', 'a.structure_id')
        .whereRaw('a.professional_id = p.id')
        .where((q) =>
          q
            .where('s.city', 'ilike', `%${place}%`)
            .orWhere('s.postcode', place)
            .orWhere('s.departement_code', place.toUpperCase()),
        ),
    );
  }
  const rows = await people.orderBy('name').limit(limit);
  if (codes) return rows; // a profession filter means people only

  const structures = db('structures as s')
    .select(db.raw("'s' AS kind"), 's.id', 's.name')
    .where('s.in_directory', true);
  for (const w of words) {
    structures.where((q) =>
      q.where('s.name', 'ilike', `%${w}%`).orWhere('s.structure_key', 'ilike', `%${w}%`),
    );
  }
  if (place) {
    structures.where((q) =>
      q
        .where('s.city', 'ilike', `%${place}%`)
        .orWhere('s.postcode', place)
        .orWhere('s.departement_code', place.toUpperCase()),
    );
  }
  return [...rows, ...(await structures.orderBy('s.name').limit(limit))].slice(0, limit);
}
