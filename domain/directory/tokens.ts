import { MAX_PREFIX, normalize, words } from './normalize';

/**
 * The search keys of an entry (see migrations/20261126000300_directory_search.ts): built
 * here, in the importer's process, so that PostgreSQL only stores and indexes them.
 */
/**
 * Name prefixes from 2 characters: a one-letter word is matched on `name_text` instead
 * (it matches a large share of the directory anyway, where an ordered scan is cheaper).
 */
export function prefixTokens(tag: string, ws: string[], out: Set<string>): void {
  for (const w of ws) {
    const max = Math.min(w.length, MAX_PREFIX);
    for (let i = 2; i <= max; i++) out.add(`${tag}:${w.slice(0, i)}`);
    if (w.length === 1) out.add(`${tag}:${w}`);
  }
}

/**
 * The name's words, plus each multi-word part written solid, so that "ndiaye" finds
 * N'DIAYE, "legoff" LE GOFF and "jeanfrancois" JEAN-FRANÇOIS.
 */
export function nameTokens(parts: string[], out: Set<string>): void {
  for (const part of parts) {
    const ws = words(part);
    prefixTokens('n', ws, out);
    if (ws.length > 1) prefixTokens('n', [ws.join('')], out);
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
  // Whole city words only: a typed prefix is expanded at query time from the list of
  // commune names (geography.ts), which keeps the index a third smaller.
  for (const w of words(p.city)) out.add(`v:${w}`);
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

/** Multi-word parts written solid, for the recheck of long words ("ndiaye", "legoff"). */
function solid(...parts: string[]): string {
  return parts
    .filter((p) => p.includes(' '))
    .map((p) => `${p.replace(/ /g, '')} `)
    .join('');
}

export function personKeys(lastName: string, firstName: string): NameKeys {
  const last = normalize(lastName);
  const first = normalize(firstName);
  return {
    sortKey: `${last} ${first}`.trim(),
    lastKey: last.replace(/ /g, ''),
    nameText: ` ${last} ${first} ${solid(last, first)}`.replace(/ +$/, ' '),
  };
}

export function structureKeys(name: string, commercialName: string): NameKeys {
  const n = normalize(name);
  const c = normalize(commercialName);
  return {
    sortKey: n,
    lastKey: n.replace(/ /g, ''),
    nameText: ` ${n} ${c && c !== n ? `${c} ` : ''}${solid(n, c)}`,
  };
}

/** A text[] literal for COPY (tokens never contain quotes, commas, braces or spaces). */
export function arrayLiteral(tokens: Iterable<string>): string {
  return `{${[...tokens].join(',')}}`;
}
