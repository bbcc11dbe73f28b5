import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExtractFormatError,
  ImportRefusedError,
  importExtract,
  searchDirectory,
} from '../../domain/directory';
import { addFavourite } from '../../domain/directory/favourites';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { at, extractLine, person, REAL_LINES_52, writeExtract } from './fixtures/extract';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const viewer = () => ({ accountId: 0, inactivityDays: 30 });
const names = async (query: Parameters<typeof searchDirectory>[2]) =>
  (await searchDirectory(t.db, viewer(), query)).items.map((e) =>
    e.kind === 'professional' ? `${e.lastName} ${e.firstName}` : e.name,
  );

const HOSPITAL = {
  ...at('F250000700', 'CHI PONTARLIER', '25304', '25462', 'Pontarlier'),
  'Numéro FINESS site': '250000700',
};
const CABINET = at('C11111111100011', 'CABINET DES LILAS', '20000', '', 'AJACCIO'); // no dept, no commune
const EHPAD = at('F970000001', 'EHPAD LES FILAOS', '97400', '97411', 'Saint-Denis');

describe('importing an extract', () => {
  it('refuses a file that is not an extract, before writing anything', async () => {
    const path = writeExtract([]);
    const bad = path.replace(/\.txt$/, '-bad.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, 'nom;prenom;ville\nDUPONT;Jean;Paris\n');
    await expect(importExtract(t.db, bad)).rejects.toThrow(ExtractFormatError);
    expect(await t.db('professionals').count('* as n').first()).toEqual({ n: 0 });
    expect(await t.db('directory_imports').count('* as n').first()).toEqual({ n: 0 });
    expect(await t.db.schema.hasTable('directory_staging')).toBe(false);
  });

  it('reads an old 52-column extract with BOM, CRLF and trailing pipes', async () => {
    const path = writeExtract(
      [
        ...REAL_LINES_52.map((l) => l.replace(/\|$/, '')), // trailingPipe adds it back
        extractLine(person('810000000001', 'MARTIN', 'HÉLÈNE', HOSPITAL), 52),
      ],
      { columns: 52, bom: true, crlf: true, trailingPipe: true },
    );
    const report = await importExtract(t.db, path);
    expect(report).toMatchObject({
      columns: 52,
      lines: 3,
      activities: 3,
      malformed: 0,
      professionals: 3,
      structures: 2,
    });
    const leger = await t.db('professionals').where('national_id', '810100271385').first();
    expect(leger).toMatchObject({
      last_name: 'LEGER',
      first_name: 'ROMAIN',
      speciality_code: 'SM53',
    });
    // The last field of a CRLF line carries no stray \r.
    const optic = await t.db('structures').where('structure_key', 'C49940088500020').first();
    expect(optic).toMatchObject({
      name: 'DOUBS OPTIC',
      departement_code: '25',
      sector_label: 'Appareillage médical',
    });
  });

  it('builds one professional with all their activities, one structure per identifier, and derives missing départements', async () => {
    const path = writeExtract(
      [
        person('810000000002', "N'DIAYE", 'AMINATA', HOSPITAL),
        person('810000000002', "N'DIAYE", 'AMINATA', CABINET),
        person('810000000002', "N'DIAYE", 'AMINATA', EHPAD),
        person('810000000003', 'DUPONT', 'JEAN-FRANÇOIS', {
          ...CABINET,
          'Code profession': '70',
          'Libellé profession': 'Masseur-Kinésithérapeute',
        }),
        person('810000000001', 'MARTIN', 'HÉLÈNE', HOSPITAL),
        ...REAL_LINES_52.map((l) => `${l}|||`), // 52 + 4 empty columns = 56
      ],
      { columns: 56 },
    );
    const report = await importExtract(t.db, path);
    expect(report).toMatchObject({ columns: 56, lines: 7, professionals: 5, structures: 4 });
    const ndiaye = await t.db('professionals').where('national_id', '810000000002');
    expect(ndiaye).toHaveLength(1);
    const activities = await t.db('activities').where('professional_id', ndiaye[0].id);
    expect(activities).toHaveLength(3);
    const depts = Object.fromEntries(
      (await t.db('structures').select('structure_key', 'departement_code')).map((s) => [
        s.structure_key,
        s.departement_code,
      ]),
    );
    expect(depts).toMatchObject({ F250000700: '25', C11111111100011: '2A', F970000001: '974' });
    // One entry in search, with its three places of practice.
    const found = await searchDirectory(t.db, viewer(), { name: 'ndiaye' });
    expect(found.items).toHaveLength(1);
    const entry = found.items[0]!;
    expect(entry.kind === 'professional' && entry.places.map((p) => p.city).sort()).toEqual([
      'AJACCIO',
      'Pontarlier',
      'Saint-Denis',
    ]);
  });

  it('counts malformed lines, reports their numbers, and imports the rest', async () => {
    const good = person('810000000004', 'LEROY', 'PAUL', HOSPITAL);
    const path = writeExtract([
      good,
      '8|123|8123|too short',
      person('', 'SANSID', 'X', HOSPITAL),
      person('810000000005', 'PETIT', 'LÉA', HOSPITAL),
    ]);
    const report = await importExtract(t.db, path, { allowShrink: true });
    expect(report.malformed).toBe(2);
    expect(report.malformedLines).toEqual([
      { line: 3, reason: '4 columns instead of 56' },
      { line: 4, reason: 'empty national identifier' },
    ]);
    expect(report.activities).toBe(2);
  });

  it('re-imports: updates, adds, flags those gone, and keeps ids and favourites', async () => {
    const first = writeExtract([
      person('810000000010', 'BERNARD', 'CLAIRE', HOSPITAL),
      person('810000000011', 'THOMAS', 'LUC', HOSPITAL),
      person('810000000012', 'ROBERT', 'ANNE', CABINET),
    ]);
    await importExtract(t.db, first, { allowShrink: true });
    const claire = await t.db('professionals').where('national_id', '810000000010').first();
    const luc = await t.db('professionals').where('national_id', '810000000011').first();
    const cabinet = await t.db('structures').where('structure_key', 'C11111111100011').first();
    const [account] = await t
      .db('accounts')
      .insert({ email: 'luc@example.test', professional_id: luc.id })
      .returning('id');
    await addFavourite(t.db, account.id, { kind: 'p', id: luc.id });
    await addFavourite(t.db, account.id, { kind: 's', id: cabinet.id });

    const claireActivity = await t.db('activities').where('professional_id', claire.id).first();
    const second = writeExtract([
      person('810000000010', 'BERNARD-DUVAL', 'CLAIRE', HOSPITAL), // renamed
      person('810000000012', 'ROBERT', 'ANNE', HOSPITAL), // moved; the cabinet is gone
      person('810000000013', 'SIMON', 'MARC', HOSPITAL), // new
    ]);
    const report = await importExtract(t.db, second, { allowShrink: true });
    expect(report).toMatchObject({
      professionalsAdded: 1,
      professionalsRemoved: 1,
      structuresRemoved: 1,
    });

    const claireAfter = await t.db('professionals').where('national_id', '810000000010').first();
    expect(claireAfter).toMatchObject({
      id: claire.id,
      last_name: 'BERNARD-DUVAL',
      in_directory: true,
    });
    // Claire's activity did not change: not rewritten. Anne's moved: rewritten.
    expect(await t.db('activities').where('professional_id', claire.id)).toEqual([claireActivity]);
    const anne = await t.db('professionals').where('national_id', '810000000012').first();
    const anneAt = await t
      .db('activities as a')
      .join('structures as s', 's.id', 'a.structure_id')
      .where('a.professional_id', anne.id)
      .pluck('s.structure_key');
    expect(anneAt).toEqual(['F250000700']);
    const lucAfter = await t.db('professionals').where('id', luc.id).first();
    expect(lucAfter).toMatchObject({ in_directory: false, national_id: '810000000011' });
    expect(await t.db('accounts').where('id', account.id).first()).toMatchObject({
      professional_id: luc.id,
    });
    expect(await t.db('directory_favourites').where('account_id', account.id)).toHaveLength(2);
    expect(await t.db('structures').where('id', cabinet.id).first()).toMatchObject({
      in_directory: false,
    });

    // Search sees the new directory: the new name, the newcomer, not those gone.
    expect(await names({ name: 'bernard duval' })).toEqual(['BERNARD-DUVAL CLAIRE']);
    expect(await names({ name: 'simon marc' })).toEqual(['SIMON MARC']);
    expect(await names({ name: 'thomas luc' })).toEqual([]);
    expect(await names({ name: 'lilas' })).toEqual([]);
  });

  it('refuses an extract far smaller than the directory unless told to', async () => {
    const tiny = writeExtract([person('810000000099', 'SEUL', 'UN', HOSPITAL)]);
    const before = await t.db('professionals').where('in_directory', true).count('* as n').first();
    await expect(importExtract(t.db, tiny)).rejects.toThrow(ImportRefusedError);
    expect(await t.db('professionals').where('in_directory', true).count('* as n').first()).toEqual(
      before,
    );
  });
});

describe('FINESS enrichment', () => {
  it('adds the category and legal entity to the structures of the directory', async () => {
    const { writeFileSync } = await import('node:fs');
    const { enrichFromFiness } = await import('../../domain/directory');
    const structureet = (site: string, legal: string, category: string, label: string) =>
      [
        'structureet',
        site,
        legal,
        'CH',
        'CENTRE HOSPITALIER',
        ...new Array(13).fill(''),
        category,
        label,
        '1100',
        'Etablissements Hospitaliers',
        ...new Array(10).fill(''),
      ].join(';');
    const csv = [
      'finess;etalab;52;2026-11-01',
      structureet('250000700', '250000452', '355', 'Centre Hospitalier (C.H.)'),
      structureet('999999999', '999999998', '500', 'EHPAD'),
      'geolocalisation;250000700;1;2;3',
      'structureet;too;short',
    ].join('\r\n');
    const path = writeExtract([]).replace(/\.txt$/, '.csv');
    writeFileSync(path, Buffer.from(csv, 'latin1'));
    const report = await enrichFromFiness(t.db, path);
    expect(report).toEqual({ establishments: 2, structuresUpdated: 1, malformed: 1 });
    expect(await t.db('structures').where('finess_site', '250000700').first()).toMatchObject({
      category_label: 'Centre Hospitalier (C.H.)',
      finess_legal: '250000452',
    });
    const bad = path.replace(/\.csv$/, '-bad.csv');
    writeFileSync(bad, 'nofinesset;rs\n');
    await expect(enrichFromFiness(t.db, bad)).rejects.toThrow(ExtractFormatError);
  });
});
