import { Model } from 'objection';

/**
 * An account attached to a structure for the chat: it reads and answers on its behalf.
 * Role 'manager' is the structure's administrator (called so in the UI and docs): it
 * grants and withdraws membership. `attached_by` is who attached the member.
 */
export class StructureMember extends Model {
  static override tableName = 'structure_members';
  static override get idColumn() {
    return ['structure_id', 'account_id'];
  }

  structure_id!: number;
  account_id!: number;
  role!: 'member' | 'manager';
  attached_at!: Date;
  attached_by!: number | null;
}
