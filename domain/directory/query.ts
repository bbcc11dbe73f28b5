import type { Knex } from 'knex';
import { resolveProfession } from './codes';
import { type ResolvedPlace, resolvePlace } from './geography';
import { MAX_PREFIX, words } from './normalize';

/**
 * Turns the three fields of the recipient picker into conditions on `directory_search`
 * (see the token scheme in migrations/20261126000300_directory_search.ts).
 */
export interface SearchFilters {
  name?: string;
  profession?: string;
  place?: string;
  kind?: 'all' | 'professional' | 'structure';
}

export interface CompiledFilters {
  /** Tokens every row must contain. */
  all: string[];
  /** Groups of tokens of which a row must contain at least one. */
  anyOf: string[][];
  /** Place typed as words that may also be a département name. */
  place?: ResolvedPlace;
  /** Query words longer than the prefix cap, rechecked on the name text. */
  longWords: string[];
  nameWords: string[];
  kind?: 'p' | 's';
  /**
   * An identifier look-up: a handful of rows at most, to fetch through the token index.
   * (The planner cannot know how rare an identifier is and may otherwise walk the name
   * index in order hoping to meet 21 matches soon.)
   */
  identifier: boolean;
  /** A field was filled but means nothing we know (an unknown profession or place). */
  unresolved: ('profession' | 'place')[];
}

const IDENTIFIER = /^(\d{8,14}|[fcr]\d{8,14}|\d[a-z]\d{7})$/;

export function compileFilters(f: SearchFilters): CompiledFilters {
  const out: CompiledFilters = {
    all: [],
    anyOf: [],
    longWords: [],
    nameWords: [],
    identifier: false,
    unresolved: [],
  };
  if (f.kind === 'professional') out.kind = 'p';
  if (f.kind === 'structure') out.kind = 's';

  const nameWords = words(f.name ?? '');
  if (nameWords.length === 1 && IDENTIFIER.test(nameWords[0]!)) {
    // RPPS / ADELI numbers are stored as national ids (type digit + number).
    const q = nameWords[0]!;
    out.anyOf.push([`i:${q}`, `i:8${q}`, `i:0${q}`]);
    out.identifier = true;
  } else {
    out.nameWords = nameWords;
    for (const w of nameWords) {
      // One letter: no token (see tokens.ts), checked on the name text.
      if (w.length > 1) out.all.push(`n:${w.slice(0, MAX_PREFIX)}`);
      if (w.length > MAX_PREFIX || w.length === 1) out.longWords.push(w);
    }
  }

  if (f.profession?.trim()) {
    const r = resolveProfession(f.profession);
    const tokens = [
      ...r.professionCodes.map((c) => `p:${c.toLowerCase()}`),
      ...r.specialityCodes.map((c) => `s:${c.toLowerCase()}`),
    ];
    if (!tokens.length) out.unresolved.push('profession');
    else if (tokens.length === 1) out.all.push(tokens[0]!);
    else out.anyOf.push(tokens);
    // Structures carry no profession: a profession filter means people.
    if (out.kind !== 's') out.kind = 'p';
    else out.unresolved.push('profession');
  }

  if (f.place?.trim()) {
    const r = resolvePlace(f.place);
    const city = r.cityAll.length || r.cityAny.length;
    if (!city && !r.codes.length) out.unresolved.push('place');
    else if (!city) out.anyOf.push(r.codes);
    else if (!r.codes.length) {
      out.all.push(...r.cityAll);
      if (r.cityAny.length === 1) out.all.push(r.cityAny[0]!);
      else if (r.cityAny.length) out.anyOf.push(r.cityAny);
    } else out.place = r;
  }
  return out;
}

export function isEmpty(c: CompiledFilters): boolean {
  return (
    !c.all.length && !c.anyOf.length && !c.place && !c.longWords.length && !c.unresolved.length
  );
}

/** SQL condition and its bindings (knex `?` placeholders). */
export function whereClause(c: CompiledFilters): { sql: string; bindings: Knex.RawBinding[] } {
  const parts: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  if (c.all.length) {
    parts.push('tokens @> ?::text[]');
    bindings.push(c.all);
  }
  for (const group of c.anyOf) {
    if (group.length === 1) {
      parts.push('tokens @> ?::text[]');
    } else parts.push('tokens && ?::text[]');
    bindings.push(group);
  }
  if (c.place) {
    // Never `tokens @> '{}'`: always true, it would make the index read every entry.
    const city = [
      ...(c.place.cityAll.length ? ['tokens @> ?::text[]'] : []),
      ...(c.place.cityAny.length ? ['tokens && ?::text[]'] : []),
    ].join(' AND ');
    parts.push(`(tokens && ?::text[] OR (${city}))`);
    bindings.push(c.place.codes);
    if (c.place.cityAll.length) bindings.push(c.place.cityAll);
    if (c.place.cityAny.length) bindings.push(c.place.cityAny);
  }
  for (const w of c.longWords) {
    parts.push('name_text LIKE ?');
    bindings.push(`% ${w}%`);
  }
  if (c.kind) {
    parts.push('kind = ?');
    bindings.push(c.kind);
  }
  return { sql: parts.length ? parts.join(' AND ') : 'true', bindings };
}
