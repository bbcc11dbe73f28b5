import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addFavourite,
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroup,
  groupRecipients,
  listGroups,
  removeFavourite,
  removeGroupMember,
  renameGroup,
  searchDirectory,
} from '../../domain/directory';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createAccount, loadDirectory } from './fixtures/directory';

let t: TestDatabase;
let ids: Awaited<ReturnType<typeof loadDirectory>>;
let alice: number;
let bob: number;
beforeAll(async () => {
  t = await createTestDatabase();
  ids = await loadDirectory(t.db);
  alice = await createAccount(t.db);
  bob = await createAccount(t.db);
});
afterAll(() => t.drop());

const viewer = (accountId: number) => ({ accountId, inactivityDays: 30 });
const p = (nationalId: string) => ({ kind: 'p' as const, id: ids.people[nationalId]! });
const s = (key: string) => ({ kind: 's' as const, id: ids.structures[key]! });

describe('favourites (S8)', () => {
  it('are starred per user, listed first when nothing is typed, and flagged in results', async () => {
    await addFavourite(t.db, alice, p('810000000002')); // N'DIAYE
    await addFavourite(t.db, alice, s('F750000001')); // DAC SESAN
    await addFavourite(t.db, alice, s('F750000001')); // twice: still one

    const opened = await searchDirectory(t.db, viewer(alice), {});
    expect(opened.favourites.map((e) => e.id)).toEqual([
      ids.structures.F750000001,
      ids.people['810000000002'],
    ]);
    expect(opened.items).toEqual([]);
    expect((await searchDirectory(t.db, viewer(bob), {})).favourites).toEqual([]);

    // With a query: the matching favourites in their section, and the flag on results.
    const typed = await searchDirectory(t.db, viewer(alice), { name: 'sesan' });
    expect(typed.favourites.map((e) => e.id)).toEqual([ids.structures.F750000001]);
    expect(typed.items[0]).toMatchObject({ name: 'DAC SESAN', favourite: true });
    const forBob = await searchDirectory(t.db, viewer(bob), { name: 'sesan' });
    expect(forBob.favourites).toEqual([]);
    expect(forBob.items[0]).toMatchObject({ name: 'DAC SESAN', favourite: false });

    expect(await removeFavourite(t.db, bob, s('F750000001'))).toBe(false); // not Bob's
    expect((await searchDirectory(t.db, viewer(alice), {})).favourites).toHaveLength(2);
    expect(await removeFavourite(t.db, alice, s('F750000001'))).toBe(true);
    expect((await searchDirectory(t.db, viewer(alice), {})).favourites).toHaveLength(1);
  });

  it('refuses an entry that does not exist', async () => {
    await expect(addFavourite(t.db, alice, { kind: 'p', id: 999_999 })).rejects.toMatchObject({
      output: { statusCode: 404 },
    });
  });
});

describe('favourite groups (S9)', () => {
  it('are created, renamed, filled, emptied, expanded and deleted by their owner only', async () => {
    const groupId = await createGroup(t.db, alice, 'Équipe mobile', [
      p('810000000001'),
      s('F750000001'),
    ]);
    await expect(createGroup(t.db, alice, 'équipe MOBILE')).rejects.toMatchObject({
      output: { statusCode: 409 },
    });
    // Bob may use the same name for his own group.
    const bobGroup = await createGroup(t.db, bob, 'Équipe mobile');

    await addGroupMember(t.db, alice, groupId, p('810000000006'));
    await removeGroupMember(t.db, alice, groupId, p('810000000001'));
    await renameGroup(t.db, alice, groupId, 'Soins palliatifs');

    const recipients = await groupRecipients(t.db, viewer(alice), groupId);
    expect(recipients.map((e) => (e.kind === 'professional' ? e.lastName : e.name))).toEqual([
      'DAC SESAN',
      'LE GOFF',
    ]);
    expect(recipients[1]).toMatchObject({ kind: 'professional', status: 'none' });
    expect(await listGroups(t.db, alice)).toMatchObject([
      { name: 'Soins palliatifs', memberCount: 2 },
    ]);
    expect(await listGroups(t.db, bob)).toMatchObject([{ id: bobGroup, memberCount: 0 }]);

    // Bob cannot see, change or expand Alice's group: it does not exist for him.
    const notFound = { output: { statusCode: 404 } };
    await expect(getGroup(t.db, viewer(bob), groupId)).rejects.toMatchObject(notFound);
    await expect(groupRecipients(t.db, viewer(bob), groupId)).rejects.toMatchObject(notFound);
    await expect(renameGroup(t.db, bob, groupId, 'x')).rejects.toMatchObject(notFound);
    await expect(addGroupMember(t.db, bob, groupId, p('810000000002'))).rejects.toMatchObject(
      notFound,
    );
    await expect(deleteGroup(t.db, bob, groupId)).rejects.toMatchObject(notFound);

    await deleteGroup(t.db, alice, groupId);
    expect(await listGroups(t.db, alice)).toEqual([]);
    expect(await listGroups(t.db, bob)).toHaveLength(1);
  });
});
