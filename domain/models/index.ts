export { Account, type Locale, type PscProfile } from './account';
export { Activity } from './activity';
export { Professional } from './professional';
export { Session } from './session';
export { Structure } from './structure';
export { StructureMember } from './structure-member';
