import { Model } from 'objection';
import { Activity } from './activity';

export class Professional extends Model {
  static override tableName = 'professionals';

  id!: number;
  national_id!: string;
  id_type!: string;
  identifier!: string;
  civility!: string | null;
  last_name!: string;
  first_name!: string;
  profession_code!: string | null;
  profession_label!: string | null;
  speciality_code!: string | null;
  speciality_label!: string | null;
  in_directory!: boolean;
  created_at!: Date;
  updated_at!: Date;
  activities?: Activity[];

  static override get relationMappings() {
    return {
      activities: {
        relation: Model.HasManyRelation,
        modelClass: Activity,
        join: { from: 'professionals.id', to: 'activities.professional_id' },
      },
    };
  }
}
