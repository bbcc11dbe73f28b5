import type { Variant } from './format';
import type { ActivityLine } from './parser';
import { parseLine } from './parser';
import {
  idTokens,
  nameTokens,
  personKeys,
  placeTokens,
  professionTokens,
  structureKeys,
} from './tokens';

/**
 * Turns extract lines into rows of the staging table (COPY text format). Person and
 * structure search keys are emitted once per run of lines (the extract lists a person's
 * activities together), and line tokens only when they add something: memory stays
 * bounded, the staging table small.
 */
export const STAGING_COLUMNS = [
  'line_no',
  'national_id',
  'id_type',
  'identifier',
  'civility',
  'last_name',
  'first_name',
  'profession_code',
  'profession_label',
  'speciality_code',
  'speciality_label',
  'mode_code',
  'mode_label',
  'role_code',
  'role_label',
  'structure_key',
  'structure_name',
  'commercial_name',
  'finess_site',
  'finess_legal',
  'siret',
  'siren',
  'address',
  'postcode',
  'commune_code',
  'city',
  'departement',
  'phone',
  'email',
  'sector_code',
  'sector_label',
  'p_sort',
  'p_last',
  'p_text',
  'p_tokens',
  'a_tokens',
  's_sort',
  's_last',
  's_text',
  's_tokens',
] as const;

export const STAGING_DDL = `CREATE UNLOGGED TABLE directory_staging (
  line_no integer NOT NULL,
  ${STAGING_COLUMNS.slice(1)
    .map((c) => `${c} text`)
    .join(',\n  ')}
)`;

const ESCAPES = /[\\\t\n\r]/;
function cell(value: string | undefined): string {
  if (!value) return '\\N';
  if (!ESCAPES.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * A copy of `s` that owns its characters. Fields are slices of the 1 MiB chunk they were
 * read from, and V8 keeps a whole chunk alive for as long as any slice of it lives: a
 * cache of slices would end up holding the file. Cached strings are copied first.
 */
function fresh(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** Remembers at most `max` keys, forgetting all at once: bounded memory, rare re-emission. */
class BoundedSet {
  private set = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string) {
    return this.set.has(key);
  }
  add(key: string) {
    if (this.set.size >= this.max) this.set.clear();
    this.set.add(fresh(key));
  }
}

export interface Malformed {
  line: number;
  reason: string;
}

export class StagingWriter {
  lines = 0;
  activities = 0;
  malformedCount = 0;
  readonly malformed: Malformed[] = [];
  private currentPerson = '';
  private personTokens = new Set<string>();
  private seenStructures = new BoundedSet(200_000);
  private lineTokenCache = new Map<string, string[]>();

  constructor(private readonly variant: Variant) {}

  /** The staging row of one extract line (`lineNo` counts the header as line 1), or ''. */
  row(raw: string, lineNo: number): string {
    this.lines++;
    if (raw === '' || raw === '\r') {
      this.lines--; // blank lines (a final newline) are not lines of the extract
      return '';
    }
    const parsed = parseLine(raw, this.variant);
    if (!parsed.ok) {
      this.malformedCount++;
      if (this.malformed.length < 20) this.malformed.push({ line: lineNo, reason: parsed.reason });
      return '';
    }
    this.activities++;
    return this.format(parsed.line, lineNo);
  }

  /** Profession and place tokens of a line, cached: the same few thousand places recur. */
  private lineTokens(l: ActivityLine): string[] {
    const key = `${l.professionCode}|${l.specialityCode}|${l.postcode}|${l.communeCode}|${l.city}|${l.departement}`;
    let tokens = this.lineTokenCache.get(key);
    if (!tokens) {
      const set = new Set<string>();
      professionTokens(l.professionCode, l.specialityCode, set);
      placeTokens(l, set);
      tokens = [...set].map(fresh);
      if (this.lineTokenCache.size >= 20_000) this.lineTokenCache.clear();
      this.lineTokenCache.set(fresh(key), tokens);
    }
    return tokens;
  }

  private format(l: ActivityLine, lineNo: number): string {
    let pSort = '';
    let pLast = '';
    let pText = '';
    let pTokens = '';
    if (l.nationalId !== this.currentPerson) {
      this.currentPerson = fresh(l.nationalId);
      this.personTokens.clear();
      const keys = personKeys(l.lastName, l.firstName);
      const t = new Set<string>();
      nameTokens([l.lastName, l.firstName], t);
      idTokens([l.nationalId], t); // the bare RPPS/ADELI number is looked up with its prefix
      pSort = keys.sortKey;
      pLast = keys.lastKey;
      pText = keys.nameText;
      pTokens = [...t].join(' ');
    }
    const added: string[] = [];
    for (const t of this.lineTokens(l)) {
      if (!this.personTokens.has(t)) {
        this.personTokens.add(t);
        added.push(t);
      }
    }

    let sSort = '';
    let sText = '';
    let sLast = '';
    let sTokens = '';
    if (l.structureKey && !this.seenStructures.has(l.structureKey)) {
      this.seenStructures.add(l.structureKey);
      const name = l.structureName || l.commercialName || l.structureKey;
      const keys = structureKeys(name, l.commercialName);
      const t = new Set<string>();
      nameTokens([name, l.commercialName], t);
      idTokens([l.structureKey, l.finessSite, l.finessLegal, l.siret, l.siren], t);
      placeTokens(l, t);
      sSort = keys.sortKey || l.structureKey.toLowerCase();
      sLast = keys.lastKey || sSort;
      sText = keys.nameText;
      sTokens = [...t].join(' ');
    }

    return `${[
      String(lineNo),
      l.nationalId,
      l.idType,
      l.identifier,
      l.civility,
      l.lastName,
      l.firstName,
      l.professionCode,
      l.professionLabel,
      l.specialityCode,
      l.specialityLabel,
      l.modeCode,
      l.modeLabel,
      l.roleCode,
      l.roleLabel,
      l.structureKey,
      l.structureName || l.commercialName,
      l.commercialName,
      l.finessSite,
      l.finessLegal,
      l.siret,
      l.siren,
      l.address,
      l.postcode,
      l.communeCode,
      l.city,
      l.departement,
      l.phone,
      l.email,
      l.sectorCode,
      l.sectorLabel,
      pSort,
      pLast,
      pText,
      pTokens,
      added.join(' '),
      sSort,
      sLast,
      sText,
      sTokens,
    ]
      .map(cell)
      .join('\t')}\n`;
  }
}
