import type { Knex } from 'knex';
import { type DirectoryEntry, type EntryRef, loadEntries, type Viewer } from './entries';
import { assertExists, columnsOf, refOf } from './refs';

/**
 * Favourites (S8): each account stars professionals and structures for itself only. Every
 * query here is scoped by the viewer's account id.
 */
export async function addFavourite(db: Knex, accountId: number, ref: EntryRef): Promise<void> {
  await assertExists(db, ref);
  const cols = columnsOf(ref);
  await db.raw(
    `INSERT INTO directory_favourites (account_id, professional_id, structure_id)
     VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    [accountId, cols.professional_id, cols.structure_id],
  );
}

/** Returns whether there was such a favourite. */
export async function removeFavourite(
  db: Knex,
  accountId: number,
  ref: EntryRef,
): Promise<boolean> {
  const n = await db('directory_favourites')
    .where({ account_id: accountId, ...columnsOf(ref) })
    .delete();
  return n > 0;
}

/** The viewer's favourites, alphabetically (the starred section of the empty picker). */
export async function listFavourites(db: Knex, viewer: Viewer): Promise<DirectoryEntry[]> {
  const rows = await db('directory_favourites')
    .where('account_id', viewer.accountId)
    .select('professional_id', 'structure_id');
  const entries = await loadEntries(db, viewer, rows.map(refOf));
  return entries.sort((a, b) => entryName(a).localeCompare(entryName(b), 'fr'));
}

export function entryName(e: DirectoryEntry): string {
  return e.kind === 'professional' ? `${e.lastName} ${e.firstName}` : e.name;
}
