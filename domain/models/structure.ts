import { Model } from 'objection';

export class Structure extends Model {
  static override tableName = 'structures';

  id!: number;
  structure_key!: string;
  source!: 'directory' | 'local';
  name!: string;
  commercial_name!: string | null;
  finess_site!: string | null;
  finess_legal!: string | null;
  siret!: string | null;
  siren!: string | null;
  address!: string | null;
  postcode!: string | null;
  commune_code!: string | null;
  city!: string | null;
  departement_code!: string | null;
  phone!: string | null;
  email!: string | null;
  sector_code!: string | null;
  sector_label!: string | null;
  in_directory!: boolean;
  created_at!: Date;
  updated_at!: Date;
}
