import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { PRACTICE_MODES, PROFESSIONS, SPECIALITIES } from './codes';
import { COLUMNS_52, COLUMNS_56 } from './format';
import { type Commune, communes, departementName } from './geography';
import { ESTABLISHMENT_NAMES, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, STREETS } from './names';

/**
 * A synthetic "PS_LibreAcces_Personne_activite" extract in the exact format: real codes
 * and labels in realistic proportions, real communes weighted by population, French names,
 * professionals with several activities (their lines together, as in the real file), and
 * the empty fields the real file has (département, commune code, e-mail…). Deterministic
 * for a given seed. Structures are derived from (commune, index), so nothing accumulates in
 * memory whatever the number of lines.
 */
export interface GenerateOptions {
  lines: number;
  seed?: number;
  columns?: 52 | 56;
  bom?: boolean;
  crlf?: boolean;
  trailingPipe?: boolean;
}

export interface GenerateReport {
  lines: number;
  professionals: number;
}

/** sfc32: small, fast, good enough for synthetic data, and reproducible. */
export function rng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

function hashSeed(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Cumulative weights for O(log n) weighted picks. */
class Weighted<T> {
  private cumulative: number[] = [];
  constructor(
    private readonly items: T[],
    weight: (item: T, i: number) => number,
  ) {
    let sum = 0;
    for (let i = 0; i < items.length; i++) {
      sum += weight(items[i]!, i);
      this.cumulative.push(sum);
    }
  }
  pick(r: number): T {
    const target = r * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return this.items[lo]!;
  }
}

// People per profession in the national directory, roughly (nurses and GPs dominate).
const PROFESSION_WEIGHTS: Record<string, number> = {
  '60': 30,
  '10': 24,
  '70': 10,
  '21': 8,
  '40': 5,
  '50': 3,
  '93': 3,
  '91': 2.5,
  '71': 2,
  '98': 2,
  '80': 1.5,
  '28': 1.5,
  '95': 1,
  '94': 1,
  '96': 1,
  '92': 0.6,
  '69': 0.5,
  '26': 0.4,
  '86': 0.8,
  '41': 0.8,
  '31': 0.5,
  '32': 0.1,
  '81': 0.1,
  '82': 0.1,
  '83': 0.1,
  '84': 0.05,
  '85': 0.05,
};
// Specialities of doctors: about 45 % general practice.
const DOCTOR_SPECIALITIES: Record<string, number> = {
  SM53: 20,
  SM54: 15,
  SM26: 10,
  SM04: 6,
  SM15: 4,
  SM18: 3,
  SM20: 6,
  SM32: 3,
  SM38: 6,
  SM40: 7,
  SM41: 3,
  SM42: 9,
  SM59: 8,
};
const ADELI_PROFESSIONS = new Set([
  '93',
  '71',
  '94',
  '96',
  '95',
  '91',
  '92',
  '80',
  '98',
  '26',
  '28',
  '41',
]);
// Activities per professional: most have one or two, some many (mean about 3.4).
const ACTIVITY_COUNTS = new Weighted(
  [1, 2, 3, 4, 5, 6, 8, 10, 12],
  (_n, i) => [34, 20, 12, 10, 8, 6, 5, 3, 2][i]!,
);

export function* generateLines(options: GenerateOptions): Generator<string> {
  const random = rng(options.seed ?? 1);
  const int = (n: number) => Math.floor(random() * n);
  const columns = options.columns ?? 56;
  const eol = options.crlf ? '\r\n' : '\n';
  const tail = options.trailingPipe ? '|' : '';

  const all = communes().filter((c) => (c.population ?? 0) > 0);
  const byPopulation = new Weighted(all, (c) => c.population ?? 1);
  const byDept = new Map<string, Weighted<Commune>>();
  const deptCommunes = new Map<string, Commune[]>();
  for (const c of all) {
    const list = deptCommunes.get(c.departement) ?? [];
    list.push(c);
    deptCommunes.set(c.departement, list);
  }
  const sameDept = (d: string) => {
    let w = byDept.get(d);
    if (!w) {
      w = new Weighted(deptCommunes.get(d)!, (c) => c.population ?? 1);
      byDept.set(d, w);
    }
    return w.pick(random());
  };
  const professions = new Weighted(PROFESSIONS, (p) => PROFESSION_WEIGHTS[p.code] ?? 0);
  const specialities = new Weighted(
    SPECIALITIES.filter((s) => DOCTOR_SPECIALITIES[s.code]),
    (s) => DOCTOR_SPECIALITIES[s.code]!,
  );
  const dentalSpecialities = SPECIALITIES.filter((s) => s.code.startsWith('SCD'));
  const zipf = <T>(list: readonly T[], flatten = 3) =>
    new Weighted([...list], (_x, i) => 1 / (i + flatten));
  // MARTIN, the most frequent surname, is borne by under 1 % of people.
  const lastNames = zipf(LAST_NAMES, 20);
  const femaleNames = zipf(FIRST_NAMES_F);
  const maleNames = zipf(FIRST_NAMES_M);

  yield `${options.bom ? '\uFEFF' : ''}${(columns === 56 ? COLUMNS_56 : COLUMNS_52).join('|')}${tail}${eol}`;

  let written = 0;
  let person = 0;
  while (written < options.lines) {
    person++;
    const profession = professions.pick(random());
    const adeli = ADELI_PROFESSIONS.has(profession.code) && random() < 0.7;
    const identifier = adeli
      ? `${String(1 + int(95)).padStart(2, '0')}${String(person).padStart(7, '0')}`
      : `10${String(person * 7 + int(7)).padStart(9, '0')}`;
    const idType = adeli ? '0' : '8';
    const female = random() < (profession.code === '60' || profession.code === '50' ? 0.87 : 0.55);
    // France has ~900,000 surnames: a common one for a third of people, a rarer one
    // (built from syllables) for the rest, so that no name covers a realistic share.
    let last = random() < 0.35 ? lastNames.pick(random()) : rareSurname(random);
    if (random() < 0.06) last = `${last}-${lastNames.pick(random())}`;
    const first = (female ? femaleNames : maleNames).pick(random());
    const doctor = profession.code === '10';
    const speciality = doctor
      ? specialities.pick(random())
      : profession.code === '40' && random() < 0.1
        ? dentalSpecialities[int(dentalSpecialities.length)]!
        : undefined;
    const exerciseCivility =
      doctor || (profession.code === '40' && random() < 0.5) ? ['DR', 'Docteur'] : ['', ''];
    const civility = female ? ['MME', 'Madame'] : ['M', 'Monsieur'];
    const home = byPopulation.pick(random());
    const activities = Math.min(ACTIVITY_COUNTS.pick(random()), options.lines - written);

    for (let a = 0; a < activities; a++) {
      const commune = a === 0 || random() < 0.7 ? home : sameDept(home.departement);
      const kind = random();
      const mode = kind < 0.55 ? 'L' : kind < 0.97 ? 'S' : 'B';
      const structure =
        random() < 0.04 ? undefined : makeStructure(commune, mode === 'L' ? 'C' : 'F', random());
      const fields: string[] = [
        idType,
        identifier,
        `${idType}${identifier}`,
        exerciseCivility[0]!,
        exerciseCivility[1]!,
        civility[0]!,
        civility[1]!,
        last,
        first,
        profession.code,
        profession.label,
        'C',
        'Civil',
        speciality ? 'S' : '',
        speciality ? 'Spécialité ordinale' : '',
        speciality?.code ?? '',
        speciality?.label ?? '',
        mode,
        PRACTICE_MODES[mode]!,
        ...(structure ?? emptyStructure()),
        '',
        '',
      ];
      if (columns === 56) fields.push('', '', 'GENR01', 'Activité standard');
      yield `${fields.join('|')}${tail}${eol}`;
      written++;
    }
  }
}

const ONSETS = [
  'B',
  'C',
  'D',
  'F',
  'G',
  'L',
  'M',
  'N',
  'P',
  'R',
  'S',
  'T',
  'V',
  'CH',
  'BR',
  'GR',
  'TR',
  'K',
  'J',
  'QU',
];
const VOWELS = ['A', 'E', 'I', 'O', 'OU', 'AU', 'É', 'È', 'U', 'AI', 'EU', 'Y'];
const CODAS = [
  '',
  '',
  'R',
  'N',
  'L',
  'S',
  'T',
  'RD',
  'NT',
  'LLE',
  'TTE',
  'RT',
  'C',
  'X',
  'Z',
  'GNE',
];
const PARTICLES = ['', '', '', '', '', '', '', '', 'LE ', 'DE ', "D'", 'DU ', 'LA '];

/** A plausible rarer French-sounding surname: 2–3 syllables, sometimes a particle. */
function rareSurname(random: () => number): string {
  const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)]!;
  const syllables = 2 + (random() < 0.35 ? 1 : 0);
  let name = '';
  for (let i = 0; i < syllables; i++) name += pick(ONSETS) + pick(VOWELS);
  name += pick(CODAS);
  const particle = pick(PARTICLES);
  return particle === "D'" && !/^[AEIOUÉÈY]/.test(name) ? name : particle + name;
}

function emptyStructure(): string[] {
  return new Array(31).fill('');
}

/** Columns 20–49 (SIRET … Libellé secteur) of a structure derived from (commune, index). */
function makeStructure(commune: Commune, kind: 'C' | 'F', r: number): string[] {
  // About one establishment per 1,500 inhabitants and one cabinet per 400.
  const pool = Math.max(1, Math.round((commune.population ?? 1) / (kind === 'F' ? 1500 : 400)));
  const index = Math.floor(r * pool);
  const local = rng(hashSeed(commune.code, kind, index));
  const pick = <T>(list: readonly T[]) => list[Math.floor(local() * list.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(local() * 10)).join('');
  const dept = commune.departement;
  const postcode = pick(commune.codesPostaux ?? ['']);
  const street = pick(STREETS);
  const number = String(1 + Math.floor(local() * 120));
  const phone = `0${dept.startsWith('97') ? '2' : String(1 + Math.floor(local() * 5))}${digits(8)}`;
  // The real file leaves the département, commune code or e-mail empty on many lines.
  const noDept = local() < 0.3;
  const noCommune = local() < 0.1;
  let name: string;
  let siret = '';
  let siren = '';
  let finessSite = '';
  let finessLegal = '';
  let key: string;
  let sector: readonly [string, string];
  let commercial = '';
  if (kind === 'F') {
    const [base, code, label] = pick(ESTABLISHMENT_NAMES);
    name = `${base} ${commune.nom.toUpperCase()}${index > 0 ? ` ${index + 1}` : ''}`;
    finessSite = `${dept.slice(0, 2)}${digits(7)}`;
    finessLegal = `${dept.slice(0, 2)}${digits(7)}`;
    siret = local() < 0.6 ? digits(14) : '';
    siren = siret.slice(0, 9);
    key = `F${finessSite}`;
    sector = [code, label];
  } else {
    siret = digits(14);
    siren = '';
    key = `C${siret}`;
    name = local() < 0.5 ? `CABINET ${pick(LAST_NAMES)}` : `CABINET MÉDICAL ${street[2]}`;
    commercial = local() < 0.2 ? name : '';
    sector = local() < 0.7 ? ['SA07', 'Cabinet individuel'] : ['SA08', 'Cabinet de groupe'];
  }
  const email = local() < 0.35 ? `contact@${key.toLowerCase()}.example.fr` : '';
  return [
    siret,
    siren,
    finessSite,
    finessLegal,
    key,
    name,
    commercial,
    '',
    '',
    number,
    '',
    street[0],
    street[1],
    street[2],
    '',
    '',
    postcode,
    noCommune ? '' : commune.code,
    noCommune ? '' : commune.nom,
    '',
    '',
    phone,
    '',
    '',
    email,
    noDept ? '' : dept,
    noDept ? '' : (departementName(dept) ?? ''),
    `${kind === 'F' ? '1' : '3'}${key.slice(1)}`,
    'ARS/Variable/Variable',
    `${sector[0]}|${sector[1]}`,
  ]
    .join('|')
    .split('|');
}

/** Writes an extract to `out` with back-pressure; resolves when everything is written. */
export async function generateExtract(
  options: GenerateOptions,
  out: Writable,
): Promise<GenerateReport> {
  let batch = '';
  let professionals = 0;
  let lines = 0;
  let lastId = '';
  for (const line of generateLines(options)) {
    if (lines > 0) {
      const id = line.slice(0, line.indexOf('|', line.indexOf('|') + 1));
      if (id !== lastId) {
        professionals++;
        lastId = id;
      }
    }
    lines++;
    batch += line;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  if (batch) out.write(batch);
  await new Promise<void>((resolve, reject) => {
    out.end((err?: Error | null) => (err ? reject(err) : resolve()));
  });
  return { lines: lines - 1, professionals };
}
