/**
 * INS (Identifiant National de Santé) — see docs/data-formats §5.
 *
 * The matricule is the 13-character NIR (or NIA) followed by a 2-digit key:
 * key = 97 − (NIR mod 97), with Corsica's département 2A read as 19 and 2B as 18. The key
 * only catches typing mistakes: a real INS comes from the national teleservice (INSi).
 */
export const INS_OIDS = {
  nir: '1.2.250.1.213.1.4.8',
  nia: '1.2.250.1.213.1.4.9',
  test: '1.2.250.1.213.1.4.10',
  demo: '1.2.250.1.213.1.4.11',
} as const;

// Sex digit, year, month, département (2 digits, 2A or 2B), commune, order number, key.
const SHAPE = /^[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/;

/** The key of a 13-character NIR, as two digits. */
export function insKey(nir13: string): string {
  const numeric = nir13.toUpperCase().replace('2A', '19').replace('2B', '18');
  // Fits in a double? 13 digits < 2^53, yes; BigInt keeps it obviously exact anyway.
  const key = 97n - (BigInt(numeric) % 97n);
  return key.toString().padStart(2, '0');
}

/** Normalises a typed matricule (spaces removed, upper case). */
export function normalizeMatricule(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

export type MatriculeFault = 'length' | 'shape' | 'key';

/** What is wrong with a typed matricule, as a code (the browser words it in its locale). */
export function matriculeFault(value: string): MatriculeFault | null {
  const m = normalizeMatricule(value);
  if (m.length !== 15) return 'length';
  if (!SHAPE.test(m)) return 'shape';
  if (insKey(m.slice(0, 13)) !== m.slice(13)) return 'key';
  return null;
}

const FAULT_MESSAGES: Record<MatriculeFault, string> = {
  length: 'must be 15 characters (13-character NIR and 2-digit key)',
  shape: 'is not a NIR followed by a 2-digit key',
  key: 'has a wrong key (check for a typo)',
};

/** Why a matricule is not valid, or null when its shape and key are right. */
export function matriculeProblem(value: string): string | null {
  const fault = matriculeFault(value);
  return fault ? FAULT_MESSAGES[fault] : null;
}
