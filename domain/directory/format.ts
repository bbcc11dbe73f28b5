/**
 * The columns of "PS_LibreAcces_Personne_activite": 56 in current extracts, the first 52
 * in older ones. The variant is recognised from the header line, never from a count alone.
 */
export const COLUMNS_56 = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Code civilité d'exercice",
  "Libellé civilité d'exercice",
  'Code civilité',
  'Libellé civilité',
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code profession',
  'Libellé profession',
  'Code catégorie professionnelle',
  'Libellé catégorie professionnelle',
  'Code type savoir-faire',
  'Libellé type savoir-faire',
  'Code savoir-faire',
  'Libellé savoir-faire',
  'Code mode exercice',
  'Libellé mode exercice',
  'Numéro SIRET site',
  'Numéro SIREN site',
  'Numéro FINESS site',
  'Numéro FINESS établissement juridique',
  'Identifiant technique de la structure',
  'Raison sociale site',
  'Enseigne commerciale site',
  'Complément destinataire (coord. structure)',
  'Complément point géographique (coord. structure)',
  'Numéro Voie (coord. structure)',
  'Indice répétition voie (coord. structure)',
  'Code type de voie (coord. structure)',
  'Libellé type de voie (coord. structure)',
  'Libellé Voie (coord. structure)',
  'Mention distribution (coord. structure)',
  'Bureau cedex (coord. structure)',
  'Code postal (coord. structure)',
  'Code commune (coord. structure)',
  'Libellé commune (coord. structure)',
  'Code pays (coord. structure)',
  'Libellé pays (coord. structure)',
  'Téléphone (coord. structure)',
  'Téléphone 2 (coord. structure)',
  'Télécopie (coord. structure)',
  'Adresse e-mail (coord. structure)',
  'Code Département (structure)',
  'Libellé Département (structure)',
  'Ancien identifiant de la structure',
  "Autorité d'enregistrement",
  "Code secteur d'activité",
  "Libellé secteur d'activité",
  'Code section tableau pharmaciens',
  'Libellé section tableau pharmaciens',
  'Code rôle',
  'Libellé rôle',
  'Code genre activité',
  'Libellé genre activité',
] as const;

export const COLUMNS_52 = COLUMNS_56.slice(0, 52);

/** Positions of the columns the importer reads (identical in both variants). */
export const COL = Object.fromEntries(COLUMNS_56.map((name, i) => [name, i])) as Record<
  (typeof COLUMNS_56)[number],
  number
>;

export type Variant = 52 | 56;
