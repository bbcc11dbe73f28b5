import { Model } from 'objection';
import { Professional } from './professional';

export type Locale = 'fr' | 'en';

/** The professional exercises Pro Santé Connect vouches for (SubjectRefPro, trimmed). */
export interface PscProfile {
  exercices: Array<{
    codeProfession: string | null;
    codeSavoirFaire: string | null;
    activities: Array<{
      codeModeExercice: string | null;
      numeroFinessSite: string | null;
      raisonSocialeSite: string | null;
    }>;
  }>;
}

export class Account extends Model {
  static override tableName = 'accounts';

  id!: number;
  professional_id!: number | null;
  email!: string | null;
  mobile!: string | null;
  password_hash!: string | null;
  first_name!: string;
  last_name!: string;
  locale!: Locale;
  time_zone!: string;
  kind!: 'person' | 'bot';
  is_admin!: boolean;
  last_active_at!: Date | null;
  disabled_at!: Date | null;
  /** False for an account created from an invitation link until its identity is confirmed. */
  identity_verified!: boolean;
  /** The directory entry the invitation named; bound (professional_id) only on verification. */
  claimed_professional_id!: number | null;
  /** The invitation that created the account, if one did. */
  invitation_id!: number | null;
  identity_verified_at!: Date | null;
  identity_verified_by!: number | null;
  identity_verification_method!: string | null;
  identity_rejected_at!: Date | null;
  identity_rejected_by!: number | null;
  /** What Pro Santé Connect said of the professional at the last sign-in (SubjectRefPro). */
  psc_profile!: PscProfile | null;
  psc_checked_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
  professional?: Professional | null;

  static override get relationMappings() {
    return {
      professional: {
        relation: Model.BelongsToOneRelation,
        modelClass: Professional,
        join: { from: 'accounts.professional_id', to: 'professionals.id' },
      },
    };
  }
}
