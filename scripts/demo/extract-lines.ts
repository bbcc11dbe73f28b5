import { COL, COLUMNS_56 } from '../../domain/directory/format';
import type { DemoPerson } from './people';

/** One line of a 56-column extract for a demo person, in the exact national format. */
export function extractLine(p: DemoPerson): string {
  const cells: string[] = new Array(COLUMNS_56.length).fill('');
  const set = (column: (typeof COLUMNS_56)[number], value: string) => {
    cells[COL[column]] = value;
  };
  set("Type d'identifiant PP", '8');
  set('Identifiant PP', p.rpps);
  set('Identification nationale PP', `8${p.rpps}`);
  set('Code civilité', p.civility);
  set('Libellé civilité', p.civility === 'M' ? 'Monsieur' : 'Madame');
  set("Nom d'exercice", p.lastName);
  set("Prénom d'exercice", p.firstName);
  set('Code profession', p.profession[0]);
  set('Libellé profession', p.profession[1]);
  set('Code catégorie professionnelle', 'C');
  set('Libellé catégorie professionnelle', 'Civil');
  if (p.speciality) {
    set('Code type savoir-faire', 'S');
    set('Libellé type savoir-faire', 'Spécialité ordinale');
    set('Code savoir-faire', p.speciality[0]);
    set('Libellé savoir-faire', p.speciality[1]);
  }
  set('Code mode exercice', 'S');
  set('Libellé mode exercice', 'Salarié');
  set('Identifiant technique de la structure', p.structure.key);
  set('Raison sociale site', p.structure.name);
  set('Code postal (coord. structure)', p.structure.postcode);
  set('Code commune (coord. structure)', p.structure.communeCode);
  set('Libellé commune (coord. structure)', p.structure.city);
  set('Code Département (structure)', p.structure.departement);
  return cells.join('|');
}
