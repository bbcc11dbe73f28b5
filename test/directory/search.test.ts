import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DirectoryEntry,
  listStructureMembers,
  type SearchRequest,
  searchDirectory,
} from '../../domain/directory';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createAccount, loadDirectory } from './fixtures/directory';

let t: TestDatabase;
let ids: Awaited<ReturnType<typeof loadDirectory>>;
let viewerId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  ids = await loadDirectory(t.db);
  viewerId = await createAccount(t.db);
});
afterAll(() => t.drop());

const label = (e: DirectoryEntry) =>
  e.kind === 'professional' ? `${e.lastName} ${e.firstName}` : e.name;
async function search(query: SearchRequest) {
  return searchDirectory(t.db, { accountId: viewerId, inactivityDays: 30 }, query);
}
async function names(query: SearchRequest) {
  return (await search(query)).items.map(label);
}

describe('search by name (S4)', () => {
  it('matches word prefixes whatever the case, accents, hyphens and apostrophes', async () => {
    expect(await names({ name: 'jean fr' })).toEqual(['DUPONT JEAN-FRANÇOIS']);
    expect(await names({ name: 'ndiaye' })).toEqual(["N'DIAYE AMINATA"]);
    expect(await names({ name: "N'Diaye" })).toEqual(["N'DIAYE AMINATA"]);
    expect(await names({ name: 'hel' })).toEqual(['MARTIN HÉLÈNE']);
    expect(await names({ name: 'hébert' })).toEqual(['HÉBERT LOUIS']);
    expect(await names({ name: 'legoff' })).toEqual(['LE GOFF YANN']);
    expect(await names({ name: 'le goff y' })).toEqual(['LE GOFF YANN']);
  });

  it('ranks exact last names first, then names starting with it, then other words', async () => {
    expect(await names({ name: 'martin' })).toEqual([
      'MARTIN HÉLÈNE',
      'MARTIN PAUL',
      'MARTINEZ ANA',
      'ABADIE MARTIN',
    ]);
  });

  it('finds structures by name and by identifier, people by RPPS or ADELI number', async () => {
    expect(await names({ name: 'sesan' })).toEqual(['DAC SESAN']);
    expect(await names({ name: 'testpm' })).toEqual(['TESTPMSESAN']);
    expect(await names({ name: 'herriot' })).toEqual(['HÔPITAL ÉDOUARD HERRIOT']);
    expect(await names({ name: 'F250000700' })).toEqual(['CHI HAUTE-COMTÉ PONTARLIER']);
    expect(await names({ name: '10000000001' })).toEqual(['DUPONT JEAN-FRANÇOIS']); // RPPS
    expect(await names({ name: '012600631' })).toEqual(['PETITGUYOT ALEXANDRE']); // ADELI
  });

  it('finds one-letter prefixes, paginated without duplicates', async () => {
    const first = await search({ name: 'm', pageSize: 2 });
    const second = await search({ name: 'm', pageSize: 2, page: 2 });
    const third = await search({ name: 'm', pageSize: 2, page: 3 });
    expect(first.hasMore).toBe(true);
    const all = [...first.items, ...second.items, ...third.items].map(label);
    expect(all).toEqual(['MARTIN HÉLÈNE', 'MARTIN PAUL', 'MARTINEZ ANA', 'ABADIE MARTIN']);
    expect(third.hasMore).toBe(false);
  });
});

describe('profession and place filters (S5, S6)', () => {
  it('filter by profession words or codes, alone', async () => {
    expect((await names({ profession: 'kiné' })).sort()).toEqual(['LE GOFF YANN', 'MARTIN HÉLÈNE']);
    expect(await names({ profession: 'cardio' })).toEqual(['HÉBERT LOUIS', 'MARTINEZ ANA']);
    expect(await names({ profession: 'SM04' })).toEqual(['HÉBERT LOUIS', 'MARTINEZ ANA']);
    expect(await names({ profession: 'généraliste' })).toEqual([
      'ABADIE MARTIN',
      'DUPONT JEAN-FRANÇOIS',
      'MARTIN PAUL',
    ]);
  });

  it('filter by city, postcode, département code or name, alone', async () => {
    expect(await names({ place: 'saint ét', kind: 'professional' })).toEqual([
      'ABADIE MARTIN',
      'LE GOFF YANN',
    ]);
    expect(await names({ place: '2A' })).toEqual([
      'CABINET DES LILAS',
      'LE GOFF YANN',
      'MARTIN HÉLÈNE',
    ]);
    expect(await names({ place: '25304' })).toEqual([
      'CHI HAUTE-COMTÉ PONTARLIER',
      'DUPONT JEAN-FRANÇOIS',
    ]);
    expect(await names({ place: 'Doubs', kind: 'professional' })).toEqual(['DUPONT JEAN-FRANÇOIS']);
    expect(await names({ place: 'lyo', kind: 'structure' })).toEqual(['HÔPITAL ÉDOUARD HERRIOT']);
  });

  it('combine the three filters', async () => {
    expect(await names({ name: 'le', profession: 'kiné', place: 'Lyon' })).toEqual([
      'LE GOFF YANN',
    ]);
    expect(await names({ name: 'martin', profession: 'généraliste' })).toEqual([
      'MARTIN PAUL',
      'ABADIE MARTIN',
    ]);
    expect(await names({ name: 'martin', place: '2A' })).toEqual(['MARTIN HÉLÈNE']);
    expect(await names({ profession: 'cardio', place: '75' })).toEqual(['HÉBERT LOUIS']);
  });

  it('matches nothing for a profession or place it does not know, and says so', async () => {
    const r = await search({ name: 'martin', profession: 'astronaute' });
    expect(r.items).toEqual([]);
    expect(r.unresolved).toEqual(['profession']);
  });
});

describe('what each entry carries (S10–S13)', () => {
  it('gives people their profession, speciality, places and account status', async () => {
    const dupont = ids.people['810000000001']!;
    const martin = ids.people['810000000003']!;
    const hebert = ids.people['810000000007']!;
    await createAccount(t.db, { professional_id: dupont, last_active_at: new Date() });
    await createAccount(t.db, {
      professional_id: martin,
      last_active_at: new Date(Date.now() - 40 * 86_400_000),
    });
    const ndiaye = ids.people['810000000002']!;
    // Hébert has a pending invitation; N'Diaye's has expired, so she stays `none`.
    const invite = (professional_id: number, expires: number, token: string) =>
      t.db('invitations').insert({
        inviter_account_id: viewerId,
        professional_id,
        channel: 'email',
        address: 'x@example.test',
        address_source: 'typed',
        token_hash: Buffer.from(token),
        status: 'sent',
        expires_at: new Date(Date.now() + expires),
      });
    await invite(hebert, 86_400_000, 'pending');
    await invite(ndiaye, -60_000, 'expired');
    const statuses = Object.fromEntries(
      (await search({ name: 'dupont' })).items
        .concat((await search({ name: 'martin hel' })).items)
        .concat((await search({ name: 'hebert' })).items)
        .concat((await search({ name: 'ndiaye' })).items)
        .map((e) => [label(e), e.kind === 'professional' ? e.status : '']),
    );
    expect(statuses).toEqual({
      'DUPONT JEAN-FRANÇOIS': 'active',
      'MARTIN HÉLÈNE': 'inactive',
      'HÉBERT LOUIS': 'invited',
      "N'DIAYE AMINATA": 'none',
    });
    const [yann] = (await search({ name: 'le goff' })).items;
    expect(yann).toMatchObject({
      kind: 'professional',
      profession: { code: '70', label: 'Masseur-Kinésithérapeute' },
      speciality: null,
    });
    expect(yann?.kind === 'professional' && yann.places.map((p) => p.city).sort()).toEqual([
      'Ajaccio',
      'Lyon',
      'Saint-Étienne',
    ]);
    const [dupontEntry] = (await search({ name: 'dupont' })).items;
    expect(dupontEntry).toMatchObject({ speciality: { code: 'SM53' } });
  });

  it('counts the members attached to structures and lists them (S11–S13)', async () => {
    const sesan = ids.structures.F750000001!;
    const paul = ids.people['810000000008']!;
    const member = await createAccount(t.db, { professional_id: paul, last_active_at: new Date() });
    await t.db('structure_members').insert([
      { structure_id: sesan, account_id: member },
      { structure_id: sesan, account_id: viewerId },
    ]);
    const [dac] = (await search({ name: 'sesan' })).items;
    const [testpm] = (await search({ name: 'testpm' })).items;
    expect(dac).toMatchObject({
      name: 'DAC SESAN',
      memberCount: 2,
      isMember: true,
      nobodyAttached: false,
    });
    expect(testpm).toMatchObject({
      name: 'TESTPMSESAN',
      memberCount: 0,
      isMember: false,
      nobodyAttached: true,
    });

    const listed = await listStructureMembers(
      t.db,
      { accountId: viewerId, inactivityDays: 30 },
      sesan,
    );
    expect(listed.structure.nobodyAttached).toBe(false);
    expect(listed.members.map((m) => [m.lastName, m.status])).toEqual([
      ['', 'inactive'], // the viewer's account: no name, never active
      ['MARTIN', 'active'],
    ]);
    const empty = await listStructureMembers(
      t.db,
      { accountId: viewerId, inactivityDays: 30 },
      ids.structures.F750000002!,
    );
    expect(empty).toMatchObject({ members: [], structure: { nobodyAttached: true } });
  });
});
