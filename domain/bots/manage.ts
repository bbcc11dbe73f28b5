import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import type { AppContext } from '../context';
import { fieldError } from '../conversations/errors';
import { publishEvent, publishSessionsEnded } from '../realtime';
import { administersStructure } from '../structures';
import { type BotActor, botNotFound, requireBot, visibleBotsSql } from './access';

/**
 * Bots as accounts (issue 12, docs/bots.md). A bot's name is its account's first name
 * (last name empty), so that every place that shows a sender or a participant shows it
 * unchanged, and the S20 line reads "DAC SESAN, expédié par BOT DE GARDE le …".
 */
export const BOT_NAME_MAX = 80;
export const BOT_DESCRIPTION_MAX = 500;

export interface BotView {
  id: number;
  name: string;
  description: string;
  kind: 'bot';
  /** null: owned by the installation's administrators. */
  ownerStructure: { id: number; name: string } | null;
  /** Attached to its structure: reads and answers that structure's conversations. */
  structureMember: boolean;
  disabled: boolean;
  /** Tokens not revoked (at most MAX_ACTIVE_TOKENS). */
  activeTokens: number;
  createdAt: string;
  createdBy: number | null;
  lastActiveAt: string | null;
  /** Whether the asking account may change it (else it only sees it, as a member). */
  canManage: boolean;
}

export interface NewBot {
  name: string;
  description?: string;
  structureId: number | null;
  /** Attach to the owner structure as a member (default true). */
  structureMember?: boolean;
}

export interface BotChanges {
  name?: string;
  description?: string;
  disabled?: boolean;
  structureMember?: boolean;
}

function viewsQuery(db: Knex, actor: BotActor) {
  return db('bots as b')
    .join('accounts as a', 'a.id', 'b.account_id')
    .leftJoin('structures as s', 's.id', 'b.owner_structure_id')
    .whereRaw(visibleBotsSql(db, actor))
    .select(
      'b.account_id',
      'b.owner_structure_id',
      'b.description',
      'b.created_by',
      'b.created_at',
      'b.disabled_at',
      'a.first_name as name',
      'a.last_active_at',
      's.name as structure_name',
      db.raw(
        `EXISTS (SELECT 1 FROM structure_members m
                  WHERE m.structure_id = b.owner_structure_id AND m.account_id = b.account_id)
           AS structure_member`,
      ),
      db.raw(
        `(SELECT count(*) FROM bot_tokens t
           WHERE t.bot_account_id = b.account_id AND t.revoked_at IS NULL)::int AS active_tokens`,
      ),
      db.raw(
        `(?::boolean OR EXISTS (SELECT 1 FROM structure_members m
                  WHERE m.structure_id = b.owner_structure_id AND m.account_id = ?
                    AND m.role = 'manager')) AS can_manage`,
        [actor.isAdmin, actor.accountId],
      ),
    );
}

// biome-ignore lint/suspicious/noExplicitAny: a row of viewsQuery
function toView(r: any): BotView {
  return {
    id: Number(r.account_id),
    name: r.name,
    description: r.description,
    kind: 'bot',
    ownerStructure: r.owner_structure_id
      ? { id: Number(r.owner_structure_id), name: r.structure_name ?? '' }
      : null,
    structureMember: r.structure_member,
    disabled: r.disabled_at !== null,
    activeTokens: r.active_tokens,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by === null ? null : Number(r.created_by),
    lastActiveAt: r.last_active_at ? new Date(r.last_active_at).toISOString() : null,
    canManage: r.can_manage,
  };
}

/** The bots the actor may see, optionally those of one structure. */
export async function listBots(
  ctx: AppContext,
  actor: BotActor,
  filter: { structureId?: number } = {},
): Promise<BotView[]> {
  const query = viewsQuery(ctx.db, actor).orderByRaw('lower(a.first_name), b.account_id');
  if (filter.structureId) query.where('b.owner_structure_id', filter.structureId);
  return (await query).map(toView);
}

export async function getBot(ctx: AppContext, actor: BotActor, botId: number): Promise<BotView> {
  const row = await viewsQuery(ctx.db, actor).where('b.account_id', botId).first();
  if (!row) throw botNotFound();
  return toView(row);
}

/**
 * Creates a bot for a structure (its administrators, or the installation's) or for the
 * installation (its administrators only). Attached to its structure unless told not to.
 */
export async function createBot(ctx: AppContext, actor: BotActor, input: NewBot): Promise<BotView> {
  const { structureId } = input;
  if (structureId === null) {
    if (!actor.isAdmin) {
      throw Boom.forbidden(
        "Only the installation's administrators may create a bot that belongs to no structure",
      );
    }
  } else {
    const structure = await ctx.db('structures').where({ id: structureId }).first('id');
    if (!structure) throw fieldError('structureId', 'No such structure');
    if (!(await administersStructure(ctx.db, actor, structureId))) {
      throw Boom.forbidden("Only the structure's administrators may create its bots");
    }
  }
  const member = structureId !== null && input.structureMember !== false;
  const botId = await ctx.db.transaction(async (trx) => {
    const [account] = await trx('accounts')
      .insert({
        kind: 'bot',
        first_name: input.name,
        last_name: '',
        email: null,
        password_hash: null,
        is_admin: false,
        // Vouched for by whoever created it: never shown as "identité non vérifiée".
        identity_verified: true,
      })
      .returning('id');
    const id = Number(account.id);
    await trx('bots').insert({
      account_id: id,
      owner_structure_id: structureId,
      description: input.description ?? '',
      created_by: actor.accountId,
    });
    if (member) {
      await trx('structure_members').insert({
        structure_id: structureId,
        account_id: id,
        role: 'member',
        attached_by: actor.accountId,
      });
    }
    return id;
  });
  ctx.logger.info({ botId, structureId, by: actor.accountId }, 'bot created');
  return getBot(ctx, actor, botId);
}

/**
 * Renames, describes, disables or enables a bot, or attaches it to its structure or
 * detaches it. Disabling refuses its tokens on the next request and closes its websockets
 * on every node at once (the account is disabled too, so nothing else reads it as live).
 */
export async function updateBot(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  changes: BotChanges,
): Promise<BotView> {
  let accessChanged = false;
  await ctx.db.transaction(async (trx) => {
    const bot = await requireBot(trx, actor, botId, 'manage');
    if (changes.name !== undefined) {
      await trx('accounts').where({ id: botId }).update({ first_name: changes.name });
    }
    if (changes.description !== undefined) {
      await trx('bots').where({ account_id: botId }).update({ description: changes.description });
    }
    if (changes.disabled !== undefined) {
      const at = changes.disabled ? trx.fn.now() : null;
      await trx('bots').where({ account_id: botId }).update({ disabled_at: at });
      await trx('accounts').where({ id: botId }).update({ disabled_at: at });
    }
    if (changes.structureMember !== undefined) {
      if (bot.owner_structure_id === null) {
        throw fieldError('structureMember', 'This bot belongs to no structure');
      }
      if (changes.structureMember) {
        await trx('structure_members')
          .insert({
            structure_id: bot.owner_structure_id,
            account_id: botId,
            role: 'member',
            attached_by: actor.accountId,
          })
          .onConflict(['structure_id', 'account_id'])
          .ignore();
      } else {
        await trx('structure_members')
          .where({ structure_id: bot.owner_structure_id, account_id: botId })
          .delete();
      }
      accessChanged = true;
    }
  });
  if (changes.disabled) await publishSessionsEnded(ctx, { accounts: [botId] });
  if (accessChanged) await publishEvent(ctx, [botId], { type: 'access.changed' });
  ctx.logger.info({ botId, changes, by: actor.accountId }, 'bot changed');
  return getBot(ctx, actor, botId);
}

/**
 * Deletes a bot: its tokens and its structure membership go, and it disappears from the
 * management lists; its account stays, disabled, so that the messages it sent keep their
 * sender and signature.
 */
export async function deleteBot(ctx: AppContext, actor: BotActor, botId: number): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await requireBot(trx, actor, botId, 'manage');
    await trx('structure_members').where({ account_id: botId }).delete();
    await trx('bots').where({ account_id: botId }).delete(); // bot_tokens cascade
    await trx('accounts')
      .where({ id: botId })
      .update({ disabled_at: trx.raw('coalesce(disabled_at, now())') });
  });
  await publishSessionsEnded(ctx, { accounts: [botId] });
  ctx.logger.info({ botId, by: actor.accountId }, 'bot deleted');
}
