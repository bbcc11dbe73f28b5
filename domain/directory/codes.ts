import { normalize, words } from './normalize';

/**
 * Code lists of the extract (TRE_G15 professions, TRE_R38 specialities) with the words
 * people actually type. Matching is on codes; labels only feed suggestions and the
 * free-text profession filter.
 */
export interface CodeEntry {
  kind: 'profession' | 'speciality';
  code: string;
  label: string;
  /** Extra words people type for it ("kiné", "généraliste", "cardio" are prefixes already). */
  synonyms?: string[];
}

export const PROFESSIONS: CodeEntry[] = [
  { code: '10', label: 'Médecin', synonyms: ['docteur', 'medecin'] },
  { code: '21', label: 'Pharmacien' },
  { code: '26', label: 'Audioprothésiste' },
  { code: '28', label: 'Opticien-Lunetier' },
  { code: '31', label: 'Assistant dentaire' },
  { code: '32', label: 'Physicien médical' },
  { code: '40', label: 'Chirurgien-Dentiste', synonyms: ['dentiste'] },
  { code: '41', label: 'Assistant de service social', synonyms: ['assistante sociale'] },
  { code: '50', label: 'Sage-Femme', synonyms: ['maieuticien'] },
  { code: '60', label: 'Infirmier', synonyms: ['infirmiere', 'ide'] },
  { code: '69', label: 'Infirmier psychiatrique', synonyms: ['infirmiere'] },
  { code: '70', label: 'Masseur-Kinésithérapeute', synonyms: ['kine', 'physiotherapeute'] },
  { code: '71', label: 'Ostéopathe' },
  { code: '80', label: 'Pédicure-Podologue' },
  { code: '81', label: 'Orthoprothésiste' },
  { code: '82', label: 'Podo-Orthésiste' },
  { code: '83', label: 'Orthopédiste-Orthésiste' },
  { code: '84', label: 'Oculariste' },
  { code: '85', label: 'Epithésiste' },
  { code: '86', label: 'Technicien de laboratoire médical' },
  { code: '91', label: 'Orthophoniste' },
  { code: '92', label: 'Orthoptiste' },
  { code: '93', label: 'Psychologue' },
  { code: '94', label: 'Ergothérapeute' },
  { code: '95', label: 'Diététicien', synonyms: ['dieteticienne', 'nutritionniste'] },
  { code: '96', label: 'Psychomotricien' },
  { code: '98', label: 'Manipulateur ERM', synonyms: ['radiologie', 'manip radio'] },
].map((e) => ({ ...e, kind: 'profession' as const }));

const GP = ['generaliste', 'medecin generaliste', 'mg'];
export const SPECIALITIES: CodeEntry[] = [
  { code: 'SM26', label: 'Qualifié en Médecine Générale', synonyms: GP },
  { code: 'SM53', label: 'Spécialiste en Médecine Générale', synonyms: GP },
  { code: 'SM54', label: 'Médecine Générale', synonyms: GP },
  { code: 'SM04', label: 'Cardiologie et maladies vasculaires', synonyms: ['cardiologue'] },
  { code: 'SM15', label: 'Dermatologie et vénéréologie', synonyms: ['dermatologue'] },
  { code: 'SM18', label: 'Gériatrie', synonyms: ['geriatre'] },
  { code: 'SM20', label: 'Gynécologie-obstétrique', synonyms: ['gynecologue', 'obstetricien'] },
  { code: 'SM32', label: 'Neurologie', synonyms: ['neurologue'] },
  { code: 'SM38', label: 'Ophtalmologie', synonyms: ['ophtalmologue', 'ophtalmo'] },
  { code: 'SM40', label: 'Pédiatrie', synonyms: ['pediatre'] },
  { code: 'SM41', label: 'Pneumologie', synonyms: ['pneumologue'] },
  { code: 'SM42', label: 'Psychiatrie', synonyms: ['psychiatre'] },
  { code: 'SM59', label: "Médecine d'urgence", synonyms: ['urgentiste', 'urgences'] },
  { code: 'SCD01', label: 'Orthopédie dento-faciale', synonyms: ['orthodontiste'] },
  { code: 'SCD02', label: 'Chirurgie orale' },
  { code: 'SCD03', label: 'Médecine bucco-dentaire' },
].map((e) => ({ ...e, kind: 'speciality' as const }));

export const ALL_CODES: CodeEntry[] = [...PROFESSIONS, ...SPECIALITIES];
const BY_CODE = new Map(ALL_CODES.map((e) => [e.code.toUpperCase(), e]));

export function codeEntry(code: string): CodeEntry | undefined {
  return BY_CODE.get(code.toUpperCase());
}

export const PRACTICE_MODES: Record<string, string> = {
  L: 'Libéral',
  S: 'Salarié',
  B: 'Bénévole',
  I: 'Indirect',
};

/** Words each entry answers to: its label's words and its synonyms' words. */
const KEYWORDS = new Map<CodeEntry, string[]>(
  ALL_CODES.map((e) => [e, [...words(e.label), ...(e.synonyms ?? []).flatMap((s) => words(s))]]),
);

export interface ResolvedProfession {
  professionCodes: string[];
  specialityCodes: string[];
}

/**
 * What the profession field means: a code ("60", "SM04") or words, each of which must be a
 * prefix of one of an entry's keywords ("kiné" → 70, "cardio" → SM04, "infirmier" → 60, 69).
 * Returns empty lists when nothing matches (the search then matches nothing, truthfully).
 */
export function resolveProfession(text: string): ResolvedProfession {
  const exact = codeEntry(text.trim());
  if (exact) return split([exact]);
  const typed = words(text).filter((w) => w !== 'en' && w !== 'de' && w !== 'et');
  if (!typed.length) return { professionCodes: [], specialityCodes: [] };
  return split(matchingEntries(typed));
}

export function matchingEntries(typed: string[]): CodeEntry[] {
  return ALL_CODES.filter((e) => {
    const keys = KEYWORDS.get(e)!;
    return typed.every((t) => keys.some((k) => k.startsWith(t)));
  });
}

function split(entries: CodeEntry[]): ResolvedProfession {
  return {
    professionCodes: entries.filter((e) => e.kind === 'profession').map((e) => e.code),
    specialityCodes: entries.filter((e) => e.kind === 'speciality').map((e) => e.code),
  };
}

/** Suggestions for the profession field, professions before specialities. */
export function suggestProfessions(text: string, limit = 10): CodeEntry[] {
  const exact = codeEntry(text.trim());
  if (exact) return [exact];
  const typed = words(text);
  if (!typed.length) return PROFESSIONS.slice(0, limit);
  const labelFirst = (e: CodeEntry) => (normalize(e.label).startsWith(typed.join(' ')) ? 0 : 1);
  return matchingEntries(typed)
    .sort((a, b) => labelFirst(a) - labelFirst(b))
    .slice(0, limit);
}
