import { Model } from 'objection';

/** An account attached to a structure for the chat: it reads and answers on its behalf. */
export class StructureMember extends Model {
  static override tableName = 'structure_members';
  static override get idColumn() {
    return ['structure_id', 'account_id'];
  }

  structure_id!: number;
  account_id!: number;
  role!: 'member' | 'manager';
  attached_at!: Date;
}
