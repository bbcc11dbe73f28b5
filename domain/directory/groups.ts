import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import { type DirectoryEntry, type EntryRef, loadEntries, type Viewer } from './entries';
import { entryName } from './favourites';
import { assertExists, columnsOf, refOf } from './refs';

/**
 * Favourite groups (S9): named sets of professionals and structures, per account, that
 * expand into recipients in one call. A group of someone else is "not found", never
 * "forbidden": its existence is not disclosed.
 */
export interface GroupSummary {
  id: number;
  name: string;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupDetail extends GroupSummary {
  members: DirectoryEntry[];
}

const UNIQUE_VIOLATION = '23505';

async function ownGroup(db: Knex, accountId: number, groupId: number) {
  const group = await db('favourite_groups').where({ id: groupId, account_id: accountId }).first();
  if (!group) throw Boom.notFound('No such group');
  return group as { id: number; name: string; created_at: Date; updated_at: Date };
}

function duplicateName(err: unknown): never {
  if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
    throw Boom.conflict('You already have a group with this name');
  }
  throw err;
}

export async function listGroups(db: Knex, accountId: number): Promise<GroupSummary[]> {
  const rows = await db('favourite_groups as g')
    .where('g.account_id', accountId)
    .select('g.id', 'g.name', 'g.created_at', 'g.updated_at')
    .select(
      db.raw('(SELECT count(*) FROM favourite_group_members m WHERE m.group_id = g.id)::int AS n'),
    )
    .orderByRaw('lower(g.name)');
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    memberCount: r.n,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export async function createGroup(
  db: Knex,
  accountId: number,
  name: string,
  members: EntryRef[] = [],
): Promise<number> {
  for (const m of members) await assertExists(db, m);
  return db
    .transaction(async (trx) => {
      const [group] = await trx('favourite_groups')
        .insert({ account_id: accountId, name: name.trim() })
        .returning('id');
      for (const m of members) {
        await trx.raw(
          `INSERT INTO favourite_group_members (group_id, professional_id, structure_id)
           VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
          [group.id, columnsOf(m).professional_id, columnsOf(m).structure_id],
        );
      }
      return group.id as number;
    })
    .catch(duplicateName);
}

export async function renameGroup(db: Knex, accountId: number, groupId: number, name: string) {
  await ownGroup(db, accountId, groupId);
  await db('favourite_groups')
    .where({ id: groupId, account_id: accountId })
    .update({ name: name.trim(), updated_at: db.fn.now() })
    .catch(duplicateName);
}

export async function deleteGroup(db: Knex, accountId: number, groupId: number): Promise<void> {
  const n = await db('favourite_groups').where({ id: groupId, account_id: accountId }).delete();
  if (!n) throw Boom.notFound('No such group');
}

export async function addGroupMember(db: Knex, accountId: number, groupId: number, ref: EntryRef) {
  await ownGroup(db, accountId, groupId);
  await assertExists(db, ref);
  const cols = columnsOf(ref);
  await db.raw(
    `INSERT INTO favourite_group_members (group_id, professional_id, structure_id)
     VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    [groupId, cols.professional_id, cols.structure_id],
  );
  await db('favourite_groups').where('id', groupId).update({ updated_at: db.fn.now() });
}

export async function removeGroupMember(
  db: Knex,
  accountId: number,
  groupId: number,
  ref: EntryRef,
): Promise<void> {
  await ownGroup(db, accountId, groupId);
  const n = await db('favourite_group_members')
    .where({ group_id: groupId, ...columnsOf(ref) })
    .delete();
  if (!n) throw Boom.notFound('Not a member of this group');
}

/** The group's members as recipients (entries with status, favourite flag, member count). */
export async function groupRecipients(
  db: Knex,
  viewer: Viewer,
  groupId: number,
): Promise<DirectoryEntry[]> {
  await ownGroup(db, viewer.accountId, groupId);
  const rows = await db('favourite_group_members')
    .where('group_id', groupId)
    .select('professional_id', 'structure_id');
  const entries = await loadEntries(db, viewer, rows.map(refOf));
  return entries.sort((a, b) => entryName(a).localeCompare(entryName(b), 'fr'));
}

export async function getGroup(db: Knex, viewer: Viewer, groupId: number): Promise<GroupDetail> {
  const group = await ownGroup(db, viewer.accountId, groupId);
  const members = await groupRecipients(db, viewer, groupId);
  return {
    id: group.id,
    name: group.name,
    memberCount: members.length,
    createdAt: group.created_at,
    updatedAt: group.updated_at,
    members,
  };
}
