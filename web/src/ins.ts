/**
 * The INS matricule check in the browser is the server's own rule (domain/patients/ins.ts
 * has no dependencies, so it bundles as is): it catches typing mistakes before the server
 * is asked, and can never disagree with it.
 */
export {
  insKey,
  type MatriculeFault as MatriculeProblem,
  matriculeFault as matriculeProblem,
  normalizeMatricule,
} from '../../domain/patients/ins';
