/**
 * Accent- and case-free text as the search compares it: "N'DIAYE" → "n diaye",
 * "Jean-François" → "jean francois", "Œuvre" → "oeuvre". Apostrophes and hyphens split
 * words, so each part can be found by its prefix.
 */
const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss' };

const PLAIN = /^[A-Za-z0-9 ]*$/;

export function normalize(text: string): string {
  // Most of the extract is plain upper-case ASCII: skip the Unicode work for it.
  if (PLAIN.test(text)) return text.toLowerCase().trim().replace(/ +/g, ' ');
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[œŒæÆß]/g, (c) => LIGATURES[c] ?? c)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function words(text: string): string[] {
  const n = normalize(text);
  return n ? n.split(' ') : [];
}

/** Prefix tokens are capped: a longer query word uses its capped token plus a recheck. */
export const MAX_PREFIX = 4;
