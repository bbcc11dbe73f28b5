import { MAX_PREFIX, normalize, words } from './normalize';

/**
 * The search keys of an entry (see migrations/20261126000300_directory_search.ts): built
 * here, in the importer's process, so that PostgreSQL only stores and indexes them.
 */
export function prefixTokens(tag: string, ws: string[], out: Set<string>): void {
  for (const w of ws) {
    const max = Math.min(w.length, MAX_PREFIX);
    for (let i = 1; i <= max; i++) out.add(`${tag}:${w.slice(0, i)}`);
  }
}

export function idTokens(ids: string[], out: Set<string>): void {
  for (const id of ids) if (id) out.add(`i:${id.toLowerCase()}`);
}

export interface Place {
  postcode: string;
  communeCode: string;
  city: string;
  departement: string;
}

export function placeTokens(p: Place, out: Set<string>): void {
  if (p.departement) out.add(`d:${p.departement.toLowerCase()}`);
  if (p.postcode) out.add(`z:${p.postcode}`);
  if (p.communeCode) out.add(`c:${p.communeCode.toLowerCase()}`);
  prefixTokens('v', words(p.city), out);
}

export function professionTokens(professionCode: string, specialityCode: string, out: Set<string>) {
  if (professionCode) out.add(`p:${professionCode.toLowerCase()}`);
  if (specialityCode) out.add(`s:${specialityCode.toLowerCase()}`);
}

export interface NameKeys {
  sortKey: string;
  lastKey: string;
  /** " word word " for the recheck of query words longer than the capped prefix tokens. */
  nameText: string;
}

export function personKeys(lastName: string, firstName: string): NameKeys {
  const last = normalize(lastName);
  const first = normalize(firstName);
  return { sortKey: `${last} ${first}`.trim(), lastKey: last, nameText: ` ${last} ${first} ` };
}

export function structureKeys(name: string, commercialName: string): NameKeys {
  const n = normalize(name);
  const c = normalize(commercialName);
  return { sortKey: n, lastKey: n, nameText: ` ${n} ${c && c !== n ? `${c} ` : ''}` };
}

/** A text[] literal for COPY (tokens never contain quotes, commas, braces or spaces). */
export function arrayLiteral(tokens: Iterable<string>): string {
  return `{${[...tokens].join(',')}}`;
}
