import Boom from '@hapi/boom';
import type { Knex } from 'knex';

/** Who acts on bots: an account, possibly an installation administrator. */
export interface BotActor {
  accountId: number;
  isAdmin: boolean;
}

/**
 * What an account may do with a bot:
 * - 'manage': the installation's administrators (every bot), and the administrators
 *   (structure_members role 'manager') of the structure that owns it;
 * - 'view': the other members of that structure, who see which bots answer for it;
 * - null: anyone else, to whom the bot does not exist (404, as for conversations).
 * A bot without a structure belongs to the installation's administrators alone.
 */
export type BotRight = 'manage' | 'view';

export interface BotRow {
  account_id: number;
  owner_structure_id: number | null;
}

export async function rightOn(db: Knex, actor: BotActor, bot: BotRow): Promise<BotRight | null> {
  if (actor.isAdmin) return 'manage';
  if (bot.owner_structure_id === null) return null;
  const member = await db('structure_members')
    .where({ structure_id: bot.owner_structure_id, account_id: actor.accountId })
    .first('role');
  if (!member) return null;
  return member.role === 'manager' ? 'manage' : 'view';
}

export const botNotFound = () => Boom.notFound('Bot not found');

/** The bot's row, or 404 (unknown or invisible to the actor), or 403 (visible, not theirs). */
export async function requireBot(
  db: Knex,
  actor: BotActor,
  botId: number,
  need: BotRight,
): Promise<BotRow> {
  const bot: BotRow | undefined = await db('bots')
    .where({ account_id: botId })
    .first('account_id', 'owner_structure_id');
  if (!bot) throw botNotFound();
  const right = await rightOn(db, actor, bot);
  if (!right) throw botNotFound();
  if (need === 'manage' && right !== 'manage') {
    throw Boom.forbidden(
      "Only the administrators of the bot's structure, or of the installation, may change it",
    );
  }
  return bot;
}

/** SQL condition on `bots as b`: the bots the actor may at least see. */
export function visibleBotsSql(db: Knex, actor: BotActor): Knex.Raw {
  if (actor.isAdmin) return db.raw('true');
  return db.raw(
    'b.owner_structure_id IN (SELECT structure_id FROM structure_members WHERE account_id = ?)',
    [actor.accountId],
  );
}
