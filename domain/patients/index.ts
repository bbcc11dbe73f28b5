export { INS_OIDS, insKey, matriculeProblem, normalizeMatricule } from './ins';
export {
  type InsIdentity,
  insKeyOf,
  type Patient,
  type PatientInput,
  patientFilterKey,
  patientKey,
  referenceKeyOf,
  toPatient,
} from './patient';
