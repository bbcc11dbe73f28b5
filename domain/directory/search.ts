import type { Knex } from 'knex';
import { type DirectoryEntry, type EntryRef, loadEntries, type Viewer } from './entries';
import { entryName, listFavourites } from './favourites';
import {
  type CompiledFilters,
  compileFilters,
  isEmpty,
  type SearchFilters,
  whereClause,
} from './query';

/**
 * The recipient search (S4–S6, S8). Ranking: exact last name (or exact structure name)
 * first, then names starting with the first word typed, then every other match; each tier
 * in alphabetical order. Each tier is one query whose ORDER BY follows an index and whose
 * LIMIT stops early, so even a one-letter query reads a few dozen index entries, not the
 * whole table. No total count: counting "m" over the whole directory is the slow part of
 * naive searches, and the picker only needs "more".
 */
export interface SearchRequest extends SearchFilters {
  page?: number;
  pageSize?: number;
}

export interface SearchResult {
  /** The viewer's favourites matching the filters (all of them when nothing is typed). */
  favourites: DirectoryEntry[];
  items: DirectoryEntry[];
  page: number;
  pageSize: number;
  hasMore: boolean;
  unresolved: ('profession' | 'place')[];
}

export const MAX_PAGE_SIZE = 50;
export const MAX_PAGE = 50;

/** The next string after every string starting with `prefix` (C collation, a–z0–9). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export interface Tier {
  sql: string;
  bindings: Knex.RawBinding[];
}

function tiers(c: CompiledFilters): Tier[] {
  const where = whereClause(c);
  if (!c.nameWords.length) return [{ sql: where.sql, bindings: where.bindings }];
  // last_key is the last name (or structure name) written solid: "le goff" → "legoff".
  const exact = [...new Set([c.nameWords.join(''), ...c.nameWords])];
  const first = c.nameWords[0]!;
  const range = '(sort_key >= ? AND sort_key < ?)';
  return [
    { sql: `${where.sql} AND last_key = ANY(?::text[])`, bindings: [...where.bindings, exact] },
    {
      sql: `${where.sql} AND ${range} AND last_key <> ALL(?::text[])`,
      bindings: [...where.bindings, first, prefixEnd(first), exact],
    },
    {
      sql: `${where.sql} AND NOT ${range} AND last_key <> ALL(?::text[])`,
      bindings: [...where.bindings, first, prefixEnd(first), exact],
    },
  ];
}

/** The complete SQL of each tier, in order (exported for the benchmark's EXPLAIN). */
export function tierQueries(c: CompiledFilters, limit: number): Tier[] {
  return tiers(c).map((tier) => ({
    sql: `SELECT kind, entity_id FROM directory_search WHERE ${tier.sql}
       ORDER BY sort_key, kind, entity_id LIMIT ?`,
    bindings: [...tier.bindings, limit],
  }));
}

const ORDER = 'ORDER BY sort_key, kind, entity_id';
const MAX_FAVOURITES = 200;

/**
 * The refs of the matches, best first, at most `limit`; with `favouritesOf`, also that
 * account's favourites matching the filters. The favourites and the first two tiers go in
 * one round trip (each branch has its own LIMIT, the outer sort sees at most a few dozen
 * rows); the third tier only runs when the first two did not fill the page.
 */
export async function searchRefs(
  db: Knex,
  c: CompiledFilters,
  limit: number,
  favouritesOf?: number,
): Promise<{ refs: EntryRef[]; favourites: EntryRef[] }> {
  if (c.unresolved.length || isEmpty(c)) return { refs: [], favourites: [] };
  const [first, ...later] = tiers(c);
  const branches: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  if (favouritesOf !== undefined) {
    const where = whereClause(c);
    branches.push(`(SELECT -1 AS tier, ds.kind, ds.entity_id, ds.sort_key
      FROM directory_favourites f
      JOIN directory_search ds ON (ds.kind = 'p' AND ds.entity_id = f.professional_id)
                               OR (ds.kind = 's' AND ds.entity_id = f.structure_id)
      WHERE f.account_id = ? AND ${where.sql.replace(/\b(tokens|name_text|kind|sort_key|last_key)\b/g, 'ds.$1')}
      LIMIT ${MAX_FAVOURITES})`);
    bindings.push(favouritesOf, ...where.bindings);
  }
  const eager = later.length ? [first!, later[0]!] : [first!];
  const lazy = later.slice(1);
  eager.forEach((tier, i) => {
    branches.push(`(SELECT ${i} AS tier, kind, entity_id, sort_key FROM directory_search
      WHERE ${tier.sql} ${ORDER} LIMIT ?)`);
    bindings.push(...tier.bindings, limit);
  });
  const { rows } = await db.raw(
    `SELECT tier, kind, entity_id FROM (${branches.join(' UNION ALL ')}) u
     ORDER BY tier, sort_key, kind, entity_id`,
    bindings,
  );
  const favourites: EntryRef[] = [];
  const refs: EntryRef[] = [];
  for (const r of rows) (r.tier < 0 ? favourites : refs).push({ kind: r.kind, id: r.entity_id });
  refs.splice(limit);
  for (const tier of lazy) {
    if (refs.length >= limit) break;
    const more = await db.raw(
      `SELECT kind, entity_id FROM directory_search WHERE ${tier.sql} ${ORDER} LIMIT ?`,
      [...tier.bindings, limit - refs.length],
    );
    for (const r of more.rows) refs.push({ kind: r.kind, id: r.entity_id });
  }
  return { refs, favourites };
}

export async function searchDirectory(
  db: Knex,
  viewer: Viewer,
  request: SearchRequest,
): Promise<SearchResult> {
  const pageSize = Math.min(request.pageSize ?? 20, MAX_PAGE_SIZE);
  const page = Math.min(Math.max(request.page ?? 1, 1), MAX_PAGE);
  const c = compileFilters(request);
  const offset = (page - 1) * pageSize;
  const base = { page, pageSize, unresolved: c.unresolved };
  if (c.unresolved.length) return { ...base, favourites: [], items: [], hasMore: false };
  // The picker opened with nothing typed: the favourites, nothing else.
  if (isEmpty(c)) {
    const favourites = page === 1 ? await listFavourites(db, viewer) : [];
    return { ...base, favourites, items: [], hasMore: false };
  }
  const found = await searchRefs(
    db,
    c,
    offset + pageSize + 1,
    page === 1 ? viewer.accountId : undefined,
  );
  const pageRefs = found.refs.slice(offset, offset + pageSize);
  // One hydration for the page and the favourites section together.
  const entries = await loadEntries(db, viewer, [...found.favourites, ...pageRefs]);
  const byRef = new Map(entries.map((e) => [`${e.kind[0]}:${e.id}`, e]));
  const pick = (refs: EntryRef[]) => refs.flatMap((r) => byRef.get(`${r.kind}:${r.id}`) ?? []);
  return {
    ...base,
    favourites: pick(found.favourites).sort((a, b) =>
      entryName(a).localeCompare(entryName(b), 'fr'),
    ),
    items: pick(pageRefs),
    hasMore: found.refs.length > offset + pageSize,
  };
}
