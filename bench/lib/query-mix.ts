import type { Knex } from 'knex';
import { rng } from '../../domain/directory/generator';
import type { SearchFilters } from '../../domain/directory/query';

/**
 * What people type in the recipient picker, in rough proportions: short prefixes while
 * typing, full names, a name with a profession, a profession in a département, and
 * identifier look-ups. Names and identifiers are drawn from the directory itself.
 */
export interface Query {
  kind: string;
  filters: SearchFilters;
}

const PREFIXES_1 = ['m', 'b', 'd', 'l', 'g', 'p', 'r', 's'];
const PREFIXES_2 = ['ma', 'le', 'du', 'be', 'ro', 'ga', 'mo', 'pe', 'ch', 'la'];
const PREFIXES_3 = ['mar', 'ber', 'dub', 'hel', 'fra', 'lef', 'gir', 'rou', 'leg', 'nda'];
const PROFESSIONS = [
  'infirmier',
  'kiné',
  'généraliste',
  'cardio',
  'pédiatre',
  'sage-femme',
  'pharmacien',
  'psychiatre',
];
const DEPARTEMENTS = ['75', '69', '13', '33', '2A', '974', '59', '44', '25', '67'];
const CITIES = ['lyon', 'marseille', 'toulouse', 'nantes', 'saint-étienne', 'besançon'];

export async function buildQueryMix(db: Knex, seed: number, size = 2000): Promise<Query[]> {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const people = await db.raw(
    `SELECT last_name, first_name, identifier FROM professionals TABLESAMPLE SYSTEM (1) REPEATABLE (${seed}) LIMIT 500`,
  );
  const structures = await db.raw(
    `SELECT structure_key FROM structures TABLESAMPLE SYSTEM (2) REPEATABLE (${seed}) LIMIT 200`,
  );
  const person = () =>
    pick(people.rows as { last_name: string; first_name: string; identifier: string }[]);
  // Weights: a kind appears in proportion to how often it is typed.
  const makers: [number, () => Query][] = [
    [12, () => ({ kind: 'prefix-1', filters: { name: pick(PREFIXES_1) } })],
    [14, () => ({ kind: 'prefix-2', filters: { name: pick(PREFIXES_2) } })],
    [14, () => ({ kind: 'prefix-3', filters: { name: pick(PREFIXES_3) } })],
    [
      18,
      () => {
        const p = person();
        return { kind: 'full-name', filters: { name: `${p.first_name} ${p.last_name}` } };
      },
    ],
    [
      14,
      () => ({
        kind: 'name+profession',
        filters: { name: person().last_name.slice(0, 4), profession: pick(PROFESSIONS) },
      }),
    ],
    [
      12,
      () => ({
        kind: 'profession+dept',
        filters: { profession: pick(PROFESSIONS), place: pick(DEPARTEMENTS) },
      }),
    ],
    [
      6,
      () => ({
        kind: 'name+city',
        filters: { name: person().last_name.slice(0, 3), place: pick(CITIES) },
      }),
    ],
    [
      10,
      () => ({
        kind: 'identifier',
        filters: {
          name:
            random() < 0.7
              ? person().identifier
              : pick(structures.rows as { structure_key: string }[]).structure_key,
        },
      }),
    ],
  ];
  const total = makers.reduce((s, [w]) => s + w, 0);
  const mix: Query[] = [];
  for (let i = 0; i < size; i++) {
    let r = random() * total;
    for (const [w, make] of makers) {
      r -= w;
      if (r <= 0) {
        mix.push(make());
        break;
      }
    }
  }
  return mix;
}
