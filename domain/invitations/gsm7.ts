// The GSM 03.38 basic character set: an SMS written only with these fits 160 characters
// per segment (any other character switches the whole message to UCS-2, 70 per segment).
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const BASIC_SET = new Set(BASIC);

const REPLACEMENTS: Record<string, string> = {
  â: 'a',
  á: 'a',
  ç: 'c',
  ê: 'e',
  ë: 'e',
  î: 'i',
  ï: 'i',
  í: 'i',
  ô: 'o',
  ó: 'o',
  û: 'u',
  ú: 'u',
  ÿ: 'y',
  À: 'A',
  Â: 'A',
  È: 'E',
  Ê: 'E',
  Ë: 'E',
  Î: 'I',
  Ï: 'I',
  Ô: 'O',
  Û: 'U',
  Ù: 'U',
  Œ: 'OE',
  œ: 'oe',
  '’': "'",
  '‘': "'",
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '\u00a0': ' ',
  '\u202f': ' ',
};

/** The text with every character outside GSM-7 replaced by its nearest GSM-7 spelling. */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (BASIC_SET.has(ch)) out += ch;
    else out += REPLACEMENTS[ch] ?? (ch.normalize('NFD').replace(/[^\x20-\x7e]/g, '') || '?');
  }
  return out;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC_SET.has(ch)) return false;
  return true;
}
