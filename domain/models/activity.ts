import { Model } from 'objection';
import { Structure } from './structure';

export class Activity extends Model {
  static override tableName = 'activities';

  id!: number;
  professional_id!: number;
  structure_id!: number | null;
  profession_code!: string | null;
  profession_label!: string | null;
  speciality_code!: string | null;
  speciality_label!: string | null;
  practice_mode_code!: string | null;
  practice_mode_label!: string | null;
  role_code!: string | null;
  role_label!: string | null;
  structure?: Structure | null;

  static override get relationMappings() {
    return {
      structure: {
        relation: Model.BelongsToOneRelation,
        modelClass: Structure,
        join: { from: 'activities.structure_id', to: 'structures.id' },
      },
    };
  }
}
