import { fieldError } from '../conversations/errors';
import { matriculeProblem, normalizeMatricule } from './ins';

/**
 * The patient a conversation is about (S2): a full INS identity when it is known, otherwise
 * a free-text reference ("Mme D., chambre 12"). Stored as JSON on the conversation, plus a
 * key used by the patient filter and the duplicate check.
 */
export interface InsIdentity {
  matricule: string;
  oid: string | null;
  birthName: string;
  firstName: string;
  birthDate: string; // YYYY-MM-DD
  sex: 'M' | 'F' | 'I';
}

export type Patient = { ins: InsIdentity } | { reference: string };

export interface PatientInput {
  ins?: Omit<InsIdentity, 'oid'> & { oid?: string | null };
  reference?: string;
}

/** Checks and normalises what the client sent; throws 400 naming the field. */
export function toPatient(
  input: PatientInput | null | undefined,
  field = 'patient',
): Patient | null {
  if (!input) return null;
  if (input.ins) {
    const problem = matriculeProblem(input.ins.matricule);
    if (problem) throw fieldError(`${field}.ins.matricule`, `INS matricule ${problem}`);
    return {
      ins: {
        matricule: normalizeMatricule(input.ins.matricule),
        oid: input.ins.oid ?? null,
        birthName: input.ins.birthName.trim().toUpperCase(),
        firstName: input.ins.firstName.trim(),
        birthDate: input.ins.birthDate,
        sex: input.ins.sex,
      },
    };
  }
  const reference = input.reference?.trim();
  if (!reference) throw fieldError(`${field}.reference`, 'A patient needs an INS or a reference');
  return { reference };
}

export function patientKey(patient: Patient | null): string | null {
  if (!patient) return null;
  return 'ins' in patient ? insKeyOf(patient.ins.matricule) : referenceKeyOf(patient.reference);
}

export const insKeyOf = (matricule: string) => `ins:${normalizeMatricule(matricule)}`;
export const referenceKeyOf = (reference: string) =>
  `ref:${reference.trim().toLowerCase().replace(/\s+/g, ' ')}`;

/** The patient filter of the list and the duplicate check, from query parameters. */
export function patientFilterKey(filter: {
  patientIns?: string;
  patientReference?: string;
}): string | null {
  if (filter.patientIns) return insKeyOf(filter.patientIns);
  if (filter.patientReference) return referenceKeyOf(filter.patientReference);
  return null;
}
