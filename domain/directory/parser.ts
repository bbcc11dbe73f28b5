import { COL, COLUMNS_52, COLUMNS_56, type Variant } from './format';
import { deriveDepartement } from './geography';

/**
 * Reading the extract line by line: no quoting (split on `|`), an optional trailing `|`,
 * CRLF or LF, an optional BOM before the header.
 */
export class ExtractFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractFormatError';
  }
}

export function splitLine(line: string): string[] {
  const end = line.endsWith('\r') ? line.length - 1 : line.length;
  return line.slice(0, end).split('|');
}

/** The variant named by the header, or an ExtractFormatError saying what is wrong. */
export function parseHeader(line: string): Variant {
  const fields = splitLine(line.replace(/^\uFEFF/, '')).map((f) => f.trim());
  if (fields.length && fields[fields.length - 1] === '') fields.pop();
  const same = (expected: readonly string[]) =>
    fields.length === expected.length && expected.every((name, i) => fields[i] === name);
  if (same(COLUMNS_56)) return 56;
  if (same(COLUMNS_52)) return 52;
  const firstBad = fields.findIndex((f, i) => f !== COLUMNS_56[i]);
  throw new ExtractFormatError(
    `not a PS_LibreAcces_Personne_activite extract: expected the 52- or 56-column header, got ${fields.length} columns` +
      (firstBad >= 0
        ? ` (column ${firstBad + 1} is "${fields[firstBad]?.slice(0, 60) ?? ''}")`
        : ''),
  );
}

/** One line of the extract: one activity of one professional, maybe at one structure. */
export interface ActivityLine {
  idType: string;
  identifier: string;
  nationalId: string;
  civility: string;
  lastName: string;
  firstName: string;
  professionCode: string;
  professionLabel: string;
  specialityCode: string;
  specialityLabel: string;
  modeCode: string;
  modeLabel: string;
  siret: string;
  siren: string;
  finessSite: string;
  finessLegal: string;
  structureKey: string;
  structureName: string;
  commercialName: string;
  address: string;
  cedex: string;
  postcode: string;
  communeCode: string;
  city: string;
  phone: string;
  email: string;
  departement: string;
  sectorCode: string;
  sectorLabel: string;
  roleCode: string;
  roleLabel: string;
}

export type LineResult = { ok: true; line: ActivityLine } | { ok: false; reason: string };

function address(f: string[]): string {
  const street = [
    f[COL['Numéro Voie (coord. structure)']],
    f[COL['Indice répétition voie (coord. structure)']],
    f[COL['Libellé type de voie (coord. structure)']] ||
      f[COL['Code type de voie (coord. structure)']],
    f[COL['Libellé Voie (coord. structure)']],
  ]
    .filter(Boolean)
    .join(' ');
  return [
    f[COL['Complément destinataire (coord. structure)']],
    f[COL['Complément point géographique (coord. structure)']],
    street,
    f[COL['Mention distribution (coord. structure)']],
  ]
    .filter(Boolean)
    .join(', ');
}

/** "25300 DOUBS" or "25304 PONTARLIER CEDEX" → "DOUBS", "PONTARLIER". */
function cityFromCedex(cedex: string): string {
  return cedex
    .replace(/^\d{5}\s*/, '')
    .replace(/\s+CEDEX(\s+\d+)?$/i, '')
    .trim();
}

export function parseLine(raw: string, variant: Variant): LineResult {
  const f = splitLine(raw);
  // A trailing `|` adds one empty column; anything else is a damaged line.
  if (f.length === variant + 1 && f[variant] === '') f.pop();
  if (f.length !== variant) {
    return { ok: false, reason: `${f.length} columns instead of ${variant}` };
  }
  const nationalId = f[COL['Identification nationale PP']]!.trim();
  const lastName = f[COL["Nom d'exercice"]]!.trim();
  if (!nationalId) return { ok: false, reason: 'empty national identifier' };
  if (!lastName) return { ok: false, reason: 'empty name' };
  const postcode = f[COL['Code postal (coord. structure)']]!.trim();
  const communeCode = f[COL['Code commune (coord. structure)']]!.trim();
  const cedex = f[COL['Bureau cedex (coord. structure)']]!.trim();
  return {
    ok: true,
    line: {
      idType: f[COL["Type d'identifiant PP"]]!.trim(),
      identifier: f[COL['Identifiant PP']]!.trim(),
      nationalId,
      civility: f[COL["Code civilité d'exercice"]]!.trim(),
      lastName,
      firstName: f[COL["Prénom d'exercice"]]!.trim(),
      professionCode: f[COL['Code profession']]!.trim(),
      professionLabel: f[COL['Libellé profession']]!.trim(),
      specialityCode: f[COL['Code savoir-faire']]!.trim(),
      specialityLabel: f[COL['Libellé savoir-faire']]!.trim(),
      modeCode: f[COL['Code mode exercice']]!.trim(),
      modeLabel: f[COL['Libellé mode exercice']]!.trim(),
      siret: f[COL['Numéro SIRET site']]!.trim(),
      siren: f[COL['Numéro SIREN site']]!.trim(),
      finessSite: f[COL['Numéro FINESS site']]!.trim(),
      finessLegal: f[COL['Numéro FINESS établissement juridique']]!.trim(),
      structureKey: f[COL['Identifiant technique de la structure']]!.trim(),
      structureName: f[COL['Raison sociale site']]!.trim(),
      commercialName: f[COL['Enseigne commerciale site']]!.trim(),
      address: address(f),
      cedex,
      postcode,
      communeCode,
      city: f[COL['Libellé commune (coord. structure)']]!.trim() || cityFromCedex(cedex),
      phone: f[COL['Téléphone (coord. structure)']]!.trim(),
      email: f[COL['Adresse e-mail (coord. structure)']]!.trim(),
      departement:
        deriveDepartement(
          f[COL['Code Département (structure)']]!.trim(),
          communeCode,
          postcode,
          cedex,
        ) ?? '',
      sectorCode: f[COL["Code secteur d'activité"]]!.trim(),
      sectorLabel: f[COL["Libellé secteur d'activité"]]!.trim(),
      roleCode: variant === 56 ? f[COL['Code rôle']]!.trim() : '',
      roleLabel: variant === 56 ? f[COL['Libellé rôle']]!.trim() : '',
    },
  };
}
