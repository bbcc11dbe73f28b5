/**
 * INS matricule check in the browser (same rule as domain/patients/ins.ts): 13-character
 * NIR (Corsica's 2A/2B read as 19/18) followed by its key, 97 − (NIR mod 97). It only
 * catches typing mistakes before the server is asked.
 */
const SHAPE = /^[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$/;

export function normalizeMatricule(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

export function insKey(nir13: string): string {
  const numeric = nir13.toUpperCase().replace('2A', '19').replace('2B', '18');
  return (97n - (BigInt(numeric) % 97n)).toString().padStart(2, '0');
}

export type MatriculeProblem = 'length' | 'shape' | 'key' | null;

export function matriculeProblem(value: string): MatriculeProblem {
  const m = normalizeMatricule(value);
  if (m.length !== 15) return 'length';
  if (!SHAPE.test(m)) return 'shape';
  if (insKey(m.slice(0, 13)) !== m.slice(13)) return 'key';
  return null;
}
