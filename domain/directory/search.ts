import type { Knex } from 'knex';
import { type DirectoryEntry, type EntryRef, loadEntries, type Viewer } from './entries';
import { entryName, listFavourites } from './favourites';
import { MAX_PREFIX } from './normalize';
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
  // Tier 1: the name starts with the first word, so that word's own condition is implied;
  // left in, it would tempt the planner to intersect its huge token list with the range.
  const inRange = whereClause(withoutWord(c, first));
  return [
    {
      sql: `SELECT ${COLUMNS} FROM (${exactBranches.map((b) => `(${b.sql})`).join(' UNION ALL ')}) t0 ${ORDER} LIMIT ?`,
      bindings: [...exactBranches.flatMap((b) => b.bindings), limit],
    },
    {
      sql: `SELECT ${COLUMNS} FROM directory_search WHERE ${inRange.sql} AND ${range}
        AND last_key <> ALL(?::text[]) ${ORDER} LIMIT ?`,
      bindings: [...inRange.bindings, first, prefixEnd(first), exact, limit],
    },
    select(
      ` AND NOT ${range} AND last_key <> ALL(?::text[])`,
      [first, prefixEnd(first), exact],
      true,
    ),
  ];
}

/**
 * The filters without the name word `word` (its token and its recheck on the name text),
 * for rows already known to match it. Tokens form a set: another word with the same
 * token is matched by the same rows, so dropping it is right for that word too.
 */
function withoutWord(c: CompiledFilters, word: string): CompiledFilters {
  const token = `n:${word.slice(0, MAX_PREFIX)}`;
  return {
    ...c,
    all: c.all.filter((t) => t !== token),
    longWords: c.longWords.filter((w) => w !== word),
  };
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
 * The ranking as one statement: the favourites section and the first two tiers (each
 * branch with its own LIMIT), the third tier only when those did not fill the page (a
 * one-time filter: PostgreSQL skips it otherwise), cut to the page by position. Rows: the
 * favourites (tier -1), then the page in order; each carries `found`, how many matches
 * were ranked (at most one more than the page's end), which tells whether there is more.
 */
export function searchSql(
  c: CompiledFilters,
  offset: number,
  pageSize: number,
  favouritesOf?: number,
): Tier {
  const limit = offset + pageSize + 1;
  const tiers = tierQueries(c, limit);
  const branches: Tier[] = [
    ...(favouritesOf !== undefined ? [favouritesQuery(c, favouritesOf)] : []),
    ...tiers.slice(0, 2),
  ];
  const first = favouritesOf !== undefined ? -1 : 0;
  const hits = branches
    .map((b, i) => `(SELECT ${i + first} AS tier, ${COLUMNS} FROM (${b.sql}) b${i})`)
    .join(' UNION ALL ');
  const bindings = branches.flatMap((b) => b.bindings);
  const last = tiers[2];
  const fill = last
    ? `UNION ALL SELECT 2, ${COLUMNS} FROM (${last.sql}) b
       WHERE (SELECT count(*) FROM hits WHERE tier >= 0) < ?`
    : '';
  if (last) bindings.push(...last.bindings, limit);
  bindings.push(offset, offset + pageSize);
  return {
    sql: `WITH hits AS MATERIALIZED (${hits}),
      matches AS MATERIALIZED (SELECT * FROM hits ${fill}),
      ranked AS MATERIALIZED (
        SELECT tier, kind, entity_id, CASE WHEN tier >= 0 THEN row_number() OVER (
          PARTITION BY tier >= 0 ORDER BY tier, sort_key, kind, entity_id) END AS pos
        FROM matches)
      SELECT tier, kind, entity_id, (SELECT count(*) FROM ranked WHERE tier >= 0)::int AS found
      FROM ranked WHERE tier < 0 OR (pos > ? AND pos <= ?)
      ORDER BY tier, pos`,
    bindings,
  };
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
  const query = searchSql(c, offset, pageSize, page === 1 ? viewer.accountId : undefined);
  const { rows } = await db.raw(query.sql, query.bindings);
  const favouriteRefs: EntryRef[] = [];
  const pageRefs: EntryRef[] = [];
  for (const r of rows)
    (r.tier < 0 ? favouriteRefs : pageRefs).push({ kind: r.kind, id: r.entity_id });
  // One hydration for the favourites section and the page together.
  const entries = await loadEntries(db, viewer, [...favouriteRefs, ...pageRefs]);
  const byRef = new Map(entries.map((e) => [`${e.kind[0]}:${e.id}`, e]));
  const pick = (refs: EntryRef[]) => refs.flatMap((r) => byRef.get(`${r.kind}:${r.id}`) ?? []);
  const favourites = pick(favouriteRefs);
  const items = pick(pageRefs);
  const found: number = rows[0]?.found ?? 0;
  return {
    ...base,
    favourites: favourites.sort((a, b) => entryName(a).localeCompare(entryName(b), 'fr')),
    items,
    hasMore: found > offset + pageSize,
  };
}
