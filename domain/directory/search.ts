import type { Knex } from 'knex';
import { type DirectoryEntry, type EntryRef, loadEntries, type Viewer } from './entries';
import { listFavourites } from './favourites';
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

interface Tier {
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

/** The refs of the matches, best first, at most `limit`. */
export async function searchRefs(
  db: Knex,
  filters: SearchFilters,
  limit: number,
): Promise<EntryRef[]> {
  const c = compileFilters(filters);
  if (c.unresolved.length || isEmpty(c)) return [];
  const refs: EntryRef[] = [];
  for (const tier of tiers(c)) {
    const { rows } = await db.raw(
      `SELECT kind, entity_id FROM directory_search WHERE ${tier.sql}
       ORDER BY sort_key, kind, entity_id LIMIT ?`,
      [...tier.bindings, limit - refs.length],
    );
    for (const r of rows) refs.push({ kind: r.kind, id: r.entity_id });
    if (refs.length >= limit) break;
  }
  return refs;
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
  const [refs, favourites] = await Promise.all([
    isEmpty(c) ? Promise.resolve([]) : searchRefs(db, request, offset + pageSize + 1),
    page === 1 && !c.unresolved.length
      ? listFavourites(db, viewer, isEmpty(c) ? undefined : c)
      : Promise.resolve([]),
  ]);
  const pageRefs = refs.slice(offset, offset + pageSize);
  return {
    favourites,
    items: await loadEntries(db, viewer, pageRefs),
    page,
    pageSize,
    hasMore: refs.length > offset + pageSize,
    unresolved: c.unresolved,
  };
}
