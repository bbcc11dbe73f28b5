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

const COLUMNS = 'kind, entity_id, sort_key';
const ORDER = 'ORDER BY sort_key, kind, entity_id';
const MAX_FAVOURITES = 200;

/**
 * One complete SELECT (kind, entity_id, sort_key) per ranking tier, ordered and limited.
 * Tier 0 is one branch per exact-name candidate so that each follows the
 * (last_key, sort_key) index in order and stops at `limit`, however common the name.
 */
export function tierQueries(c: CompiledFilters, limit: number): Tier[] {
  const where = whereClause(c);
  // An order no index provides, so that the rows come from the token index and are
  // sorted after: for an identifier (a handful of rows) and for the last tier, which only
  // runs when the name is rare (the first two tiers did not fill the page). Walking the
  // name index in order, hoping to meet matches soon, would then read most of it.
  const unordered = "ORDER BY sort_key || '', kind, entity_id";
  const hasTokens = c.all.length > 0 || c.anyOf.length > 0 || c.place !== undefined;
  // Up to three letters typed, matches are dense (first names "hél…", "ma…"): walking the
  // name index in order meets 21 soon, cheaper than fetching thousands through the tokens.
  const short = c.nameWords.join('').length <= 3;
  const select = (extra: string, bindings: Knex.RawBinding[], byTokens = false): Tier => ({
    sql: `SELECT ${COLUMNS} FROM directory_search WHERE ${where.sql}${extra} ${
      c.identifier || (byTokens && hasTokens && !short) ? unordered : ORDER
    } LIMIT ?`,
    bindings: [...where.bindings, ...bindings, limit],
  });
  if (!c.nameWords.length) return [select('', [])];
  // last_key is the last name (or structure name) written solid: "le goff" → "legoff".
  const exact = [...new Set([c.nameWords.join(''), ...c.nameWords])];
  const first = c.nameWords[0]!;
  const range = '(sort_key >= ? AND sort_key < ?)';
  const exactBranches = exact.map((name) => select(' AND last_key = ?', [name]));
  return [
    {
      sql: `SELECT ${COLUMNS} FROM (${exactBranches.map((b) => `(${b.sql})`).join(' UNION ALL ')}) t0 ${ORDER} LIMIT ?`,
      bindings: [...exactBranches.flatMap((b) => b.bindings), limit],
    },
    select(` AND ${range} AND last_key <> ALL(?::text[])`, [first, prefixEnd(first), exact]),
    select(
      ` AND NOT ${range} AND last_key <> ALL(?::text[])`,
      [first, prefixEnd(first), exact],
      true,
    ),
  ];
}

/**
 * The viewer's favourites matching the filters: driven from the favourites (a handful of
 * rows, each looked up by its entity id), never from the token index.
 */
function favouritesQuery(c: CompiledFilters, accountId: number): Tier {
  const where = whereClause(c);
  return {
    sql: `SELECT ds.kind, ds.entity_id, ds.sort_key
      FROM (SELECT professional_id, structure_id FROM directory_favourites
            WHERE account_id = ? LIMIT ${MAX_FAVOURITES} OFFSET 0) f
      CROSS JOIN LATERAL (
        SELECT * FROM directory_search
        WHERE kind = (CASE WHEN f.professional_id IS NULL THEN 's' ELSE 'p' END)::char(1)
          AND entity_id = coalesce(f.professional_id, f.structure_id)
        OFFSET 0) ds
      WHERE ${where.sql.replace(/\b(tokens|name_text|kind|sort_key|last_key)\b/g, 'ds.$1')}`,
    bindings: [accountId, ...where.bindings],
  };
}

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
  const tiers = tierQueries(c, limit);
  const eager = tiers.slice(0, 2);
  const lazy = tiers.slice(2);
  const branches: Tier[] = [
    ...(favouritesOf !== undefined ? [favouritesQuery(c, favouritesOf)] : []),
    ...eager,
  ];
  const offset = favouritesOf !== undefined ? -1 : 0;
  const { rows } = await db.raw(
    `SELECT tier, kind, entity_id FROM (${branches
      .map((b, i) => `(SELECT ${i + offset} AS tier, ${COLUMNS} FROM (${b.sql}) b${i})`)
      .join(' UNION ALL ')}) u ORDER BY tier, sort_key, kind, entity_id`,
    branches.flatMap((b) => b.bindings),
  );
  const favourites: EntryRef[] = [];
  const refs: EntryRef[] = [];
  for (const r of rows) (r.tier < 0 ? favourites : refs).push({ kind: r.kind, id: r.entity_id });
  refs.splice(limit);
  for (const tier of lazy) {
    if (refs.length >= limit) break;
    const more = await db.raw(tier.sql, tier.bindings);
    for (const r of more.rows) {
      if (refs.length < limit) refs.push({ kind: r.kind, id: r.entity_id });
    }
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
