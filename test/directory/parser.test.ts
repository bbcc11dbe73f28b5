import { describe, expect, it } from 'vitest';
import { resolveProfession, suggestProfessions } from '../../domain/directory/codes';
import { COLUMNS_52, COLUMNS_56 } from '../../domain/directory/format';
import {
  deptFromCommuneCode,
  deptFromPostcode,
  deriveDepartement,
  resolvePlace,
  suggestPlaces,
} from '../../domain/directory/geography';
import { normalize } from '../../domain/directory/normalize';
import { ExtractFormatError, parseHeader, parseLine } from '../../domain/directory/parser';
import { REAL_LINES_52 } from './fixtures/extract';

describe('extract header', () => {
  it('recognises the 56- and 52-column variants, with BOM, trailing pipe or CRLF', () => {
    expect(parseHeader(COLUMNS_56.join('|'))).toBe(56);
    expect(parseHeader(COLUMNS_52.join('|'))).toBe(52);
    expect(parseHeader(`\uFEFF${COLUMNS_56.join('|')}|\r`)).toBe(56);
    expect(parseHeader(`\uFEFF${COLUMNS_52.join('|')}\r`)).toBe(52);
  });

  it('refuses anything else, naming the first wrong column', () => {
    expect(() => parseHeader('nom;prenom;ville')).toThrow(ExtractFormatError);
    const renamed: string[] = [...COLUMNS_56];
    renamed[7] = 'Nom';
    expect(() => parseHeader(renamed.join('|'))).toThrow(/column 8 is "Nom"/);
    expect(() => parseHeader(COLUMNS_56.slice(0, 54).join('|'))).toThrow(/54 columns/);
  });
});

describe('extract lines', () => {
  it('reads the real 52-column lines, trailing pipe included', () => {
    const a = parseLine(REAL_LINES_52[0]!, 52);
    expect(a.ok && a.line).toMatchObject({
      nationalId: '810100271385',
      lastName: 'LEGER',
      firstName: 'ROMAIN',
      professionCode: '10',
      specialityCode: 'SM53',
      structureKey: 'F250000700',
      structureName: 'CHI HC SITE RIVES DU DOUBS PONTARLIER',
      postcode: '25304',
      communeCode: '25462',
      city: 'Pontarlier',
      departement: '25', // empty in the file: derived from the commune code
      email: 'contact@chi-hautecomte.fr',
    });
    const b = parseLine(`${REAL_LINES_52[1]}\r`, 52);
    // ADELI identifier keeps its leading zero; no commune code nor city: from the cedex line.
    expect(b.ok && b.line).toMatchObject({
      nationalId: '0012600631',
      identifier: '012600631',
      structureKey: 'C49940088500020',
      postcode: '25300',
      city: 'DOUBS',
      departement: '25',
    });
  });

  it('reports a wrong column count or an empty identifier', () => {
    expect(parseLine('8|123|', 52)).toEqual({ ok: false, reason: '3 columns instead of 52' });
    const noId = REAL_LINES_52[0]!.replace('810100271385', '');
    expect(parseLine(noId, 52)).toEqual({ ok: false, reason: 'empty national identifier' });
  });
});

describe('départements', () => {
  it('derive from commune codes, including Corsica and overseas', () => {
    expect(deptFromCommuneCode('2A004')).toBe('2A');
    expect(deptFromCommuneCode('2B033')).toBe('2B');
    expect(deptFromCommuneCode('97411')).toBe('974');
    expect(deptFromCommuneCode('75056')).toBe('75');
  });

  it('derive from postcodes when the commune code is missing', () => {
    expect(deptFromPostcode('20000')).toBe('2A'); // Ajaccio
    expect(deptFromPostcode('20200')).toBe('2B'); // Bastia
    expect(deptFromPostcode('97400')).toBe('974');
    // Saint-Barthélemy's postcode looks like Guadeloupe's; the communes data knows it is 977.
    expect(deptFromPostcode('97133')).toBe('977');
    expect(deptFromPostcode('97200')).toBe('972');
    expect(deriveDepartement('', '', '', '13344 MARSEILLE CEDEX 15')).toBe('13');
    expect(deriveDepartement('69', '75056', '75001', '')).toBe('69'); // given wins
  });
});

describe('what people type', () => {
  it('normalises case, accents, apostrophes and hyphens', () => {
    expect(normalize("N'DIAYE")).toBe('n diaye');
    expect(normalize('Jean-François')).toBe('jean francois');
    expect(normalize('HÉLÈNE  Œuvre')).toBe('helene oeuvre');
  });

  it('maps profession words and codes to codes', () => {
    expect(resolveProfession('kiné').professionCodes).toEqual(['70']);
    expect(resolveProfession('infirmier').professionCodes).toEqual(['60', '69']);
    expect(resolveProfession('cardio').specialityCodes).toEqual(['SM04']);
    expect(resolveProfession('généraliste').specialityCodes).toEqual(['SM26', 'SM53', 'SM54']);
    expect(resolveProfession('SM04').specialityCodes).toEqual(['SM04']);
    expect(resolveProfession('60').professionCodes).toEqual(['60']);
    expect(resolveProfession('astronaute')).toEqual({ professionCodes: [], specialityCodes: [] });
    expect(suggestProfessions('kin')[0]).toMatchObject({ code: '70' });
  });

  it('maps places to postcode, commune, département or city words', () => {
    expect(resolvePlace('69003').codes).toEqual(['z:69003', 'c:69003']);
    expect(resolvePlace('2a').codes).toEqual(['d:2a']);
    expect(resolvePlace('974').codes).toEqual(['d:974']);
    expect(resolvePlace('Rhône (69)').codes).toEqual(['d:69']);
    expect(resolvePlace('Finistère').codes).toEqual(['d:29']);
    // The last word is a prefix, completed from the commune names.
    const stEt = resolvePlace('saint ét');
    expect(stEt.cityAll).toEqual(['v:saint']);
    expect(stEt.cityAny).toContain('v:etienne');
    expect(resolvePlace('lyo').cityAny).toContain('v:lyon');
    expect(suggestPlaces('lyon')[0]).toMatchObject({ kind: 'commune', value: '69123' });
    expect(suggestPlaces('corse')[0]).toMatchObject({ kind: 'departement' });
  });
});
