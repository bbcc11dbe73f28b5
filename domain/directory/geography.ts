import { createRequire } from 'node:module';
import { normalize, words } from './normalize';

/**
 * French geography from @etalab/decoupage-administratif (Licence Ouverte). The JSON files
 * are read directly: the package's own index resolves paths from the working directory.
 * Loaded once, on first use (~9 MB, a few hundred ms).
 */
export interface Commune {
  code: string;
  nom: string;
  departement: string;
  codesPostaux?: string[];
  population?: number;
  type: string;
}
export interface Departement {
  code: string;
  nom: string;
}

const require = createRequire(import.meta.url);
let communesCache: Commune[] | undefined;
let departementsCache: Departement[] | undefined;
let postcodeDept: Map<string, string> | undefined;

/** Current communes (not the delegated/associated ones nor municipal arrondissements). */
export function communes(): Commune[] {
  communesCache ??= (
    require('@etalab/decoupage-administratif/data/communes.json') as Commune[]
  ).filter((c) => c.type === 'commune-actuelle');
  return communesCache;
}

export function departements(): Departement[] {
  departementsCache ??= require('@etalab/decoupage-administratif/data/departements.json');
  return departementsCache!;
}

const DEPT_NAMES = () => new Map(departements().map((d) => [d.code, d.nom]));
let deptNames: Map<string, string> | undefined;
export function departementName(code: string): string | undefined {
  deptNames ??= DEPT_NAMES();
  return deptNames.get(code);
}

/** Département of an INSEE commune code: 2 characters, 3 for overseas (97x, 98x). */
export function deptFromCommuneCode(code: string): string | undefined {
  if (!/^(\d{5}|2[AB]\d{3})$/i.test(code)) return undefined;
  const up = code.toUpperCase();
  return up.startsWith('97') || up.startsWith('98') ? up.slice(0, 3) : up.slice(0, 2);
}

/**
 * Département of a postcode: from the communes that use it when known (postcodes do not
 * always follow the département), else by rule: 97x/98x overseas, 20xxx Corsica
 * (below 20200 Corse-du-Sud 2A, else Haute-Corse 2B), else the first two digits.
 */
export function deptFromPostcode(postcode: string): string | undefined {
  if (!/^\d{5}$/.test(postcode)) return undefined;
  if (!postcodeDept) {
    postcodeDept = new Map();
    for (const c of communes()) {
      for (const p of c.codesPostaux ?? [])
        if (!postcodeDept.has(p)) postcodeDept.set(p, c.departement);
    }
  }
  const known = postcodeDept.get(postcode);
  if (known) return known;
  if (postcode.startsWith('97') || postcode.startsWith('98')) return postcode.slice(0, 3);
  if (postcode.startsWith('20')) return Number(postcode) < 20200 ? '2A' : '2B';
  return postcode.slice(0, 2);
}

/** The postcode of a "25304 PONTARLIER CEDEX"-style distribution line, if any. */
export function postcodeFromCedex(line: string): string | undefined {
  return /^(\d{5})\b/.exec(line.trim())?.[1];
}

export function deriveDepartement(
  given: string,
  communeCode: string,
  postcode: string,
  cedex: string,
): string | undefined {
  if (given) return given.toUpperCase();
  return (
    deptFromCommuneCode(communeCode) ??
    deptFromPostcode(postcode) ??
    (cedex ? deptFromPostcode(postcodeFromCedex(cedex) ?? '') : undefined)
  );
}

export interface PlaceSuggestion {
  kind: 'departement' | 'commune';
  /** What to put back in the place field: a département code or a commune INSEE code. */
  value: string;
  label: string;
  departement: string;
  postcodes?: string[];
}

/** Départements by code or name, then communes by name prefix or postcode, biggest first. */
export function suggestPlaces(text: string, limit = 10): PlaceSuggestion[] {
  const q = normalize(text);
  if (!q) return [];
  const out: PlaceSuggestion[] = [];
  for (const d of departements()) {
    const name = normalize(d.nom);
    if (d.code.toLowerCase() === q || name.startsWith(q) || words(d.nom).some((w) => w === q)) {
      out.push({
        kind: 'departement',
        value: d.code,
        label: `${d.nom} (${d.code})`,
        departement: d.code,
      });
    }
  }
  const byPostcode = /^\d{2,5}$/.test(q);
  const found = communes().filter((c) =>
    byPostcode
      ? (c.codesPostaux ?? []).some((p) => p.startsWith(q))
      : normalize(c.nom).startsWith(q),
  );
  found.sort((a, b) => (b.population ?? 0) - (a.population ?? 0));
  for (const c of found.slice(0, limit)) {
    out.push({
      kind: 'commune',
      value: c.code,
      label: `${c.nom} (${c.departement})`,
      departement: c.departement,
      postcodes: c.codesPostaux,
    });
  }
  return out.slice(0, limit);
}

export interface ResolvedPlace {
  /** Postcode, commune or département tokens: any one matches. */
  codes: string[];
  /** City words typed in full: all must match. */
  cityAll: string[];
  /** Completions of the last word typed: one must match (empty: no last-word condition). */
  cityAny: string[];
}

let cityWords: string[] | undefined;
/** Every distinct word of every commune name, sorted (about 20,000). */
function cityVocabulary(): string[] {
  if (!cityWords) {
    const set = new Set<string>();
    for (const c of communes()) for (const w of words(c.nom)) set.add(w);
    cityWords = [...set].sort();
  }
  return cityWords;
}

const MAX_COMPLETIONS = 200;

/** Commune-name words starting with `prefix`, the shortest first (at most 200). */
export function completeCityWord(prefix: string): string[] {
  const vocabulary = cityVocabulary();
  let lo = 0;
  let hi = vocabulary.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vocabulary[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < vocabulary.length && vocabulary[i]!.startsWith(prefix); i++) {
    out.push(vocabulary[i]!);
  }
  return out.sort((a, b) => a.length - b.length).slice(0, MAX_COMPLETIONS);
}

/**
 * What the place field means: a postcode or INSEE code (5 characters), a département code
 * ("69", "2A", "974"), or a city / département name typed freely ("saint ét", "rhône"),
 * the last word being a prefix.
 */
export function resolvePlace(text: string): ResolvedPlace {
  const raw = text.trim();
  const code = /\((\w{2,3})\)$/.exec(raw)?.[1]; // "Rhône (69)" as suggested
  const q = normalize(code ?? raw);
  if (/^(\d{5}|2[ab]\d{3})$/.test(q)) {
    return { codes: [`z:${q}`, `c:${q}`], cityAll: [], cityAny: [] };
  }
  if (/^(\d{2}|2[ab]|97\d)$/.test(q)) return { codes: [`d:${q}`], cityAll: [], cityAny: [] };
  const ws = words(q);
  const codes = departements()
    .filter((d) => normalize(d.nom) === q)
    .map((d) => `d:${d.code.toLowerCase()}`);
  const last = ws.pop();
  if (!last) return { codes, cityAll: [], cityAny: [] };
  const completions = completeCityWord(last);
  return {
    codes,
    cityAll: ws.map((w) => `v:${w}`),
    // A last word nobody's city starts with still matches itself (a city missing from the
    // commune list); it then simply finds nothing.
    cityAny: (completions.length ? completions : [last]).map((w) => `v:${w}`),
  };
}
