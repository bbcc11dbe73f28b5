import { Model } from 'objection';

export class Session extends Model {
  static override tableName = 'sessions';

  id!: number;
  account_id!: number;
  token_hash!: Buffer;
  method!: 'password' | 'embed' | 'invitation' | 'psc';
  integration_id!: string | null;
  ip!: string | null;
  user_agent!: string | null;
  created_at!: Date;
  expires_at!: Date;
  revoked_at!: Date | null;
}
