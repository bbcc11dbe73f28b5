import type { Knex } from 'knex';

/**
 * The transactional outbox of bot events (issue 12; docs/bots.md "Webhooks"). An event row
 * per bot concerned is written by the statement or transaction that makes the change, so a
 * change without its events, or events of a change rolled back, cannot exist. Delivery
 * (domain/webhooks/queue.ts, workers/webhooks.ts) and the pull API read these rows later.
 *
 * The bots concerned: every bot that may read the conversation now (a participant in its
 * own right, or attached to a participating structure), not disabled, except the one that
 * caused the event. A bot never gets an event of a conversation it is not in.
 */
export type BotEventType = 'message.created' | 'conversation.created' | 'participant.added';

/**
 * Pull cursors and commit order. Event ids come from a sequence, taken before commit, so
 * two transactions may commit ids out of order: a bot that pulled up to id 11 while id 10
 * was still uncommitted would never see 10. So every writer of events holds a shared
 * transaction-level advisory lock per bot it writes for, taken BEFORE the id is drawn, and
 * the pull API (domain/webhooks/events.ts) briefly takes that bot's lock exclusively: once
 * it has it, every id drawn so far for the bot is committed or rolled back, and it reads
 * no further than the sequence's value then (its high-water mark).
 */
export const EVENT_LOCK_CLASS = 5_391_692;

export function eventLockKey(column: string): string {
  return `${EVENT_LOCK_CLASS}, (${column} % 2147483647)::int`;
}

/**
 * The enabled bots that may read conversation `param` (an SQL placeholder: `$1` or `?`),
 * each with its shared event lock taken (OFFSET 0: evaluated here, before the outer
 * INSERT draws the ids).
 */
export function botAudienceSql(param: string): string {
  return `SELECT x.account_id, pg_advisory_xact_lock_shared(${eventLockKey('x.account_id')}) AS locked
    FROM (${botAudienceOnlySql(param)}) x OFFSET 0`;
}

function botAudienceOnlySql(param: string): string {
  return `SELECT b.account_id FROM conversation_participants p
      JOIN bots b ON b.account_id = p.account_id
     WHERE p.conversation_id = ${param} AND p.left_at IS NULL AND b.disabled_at IS NULL
    UNION
    SELECT b.account_id FROM conversation_participants p
      JOIN structure_members sm ON sm.structure_id = p.structure_id
      JOIN bots b ON b.account_id = sm.account_id
     WHERE p.conversation_id = ${param} AND p.left_at IS NULL AND b.disabled_at IS NULL`;
}

/**
 * The CTE SEND_SQL (domain/conversations/messages.ts) adds after its message CTE `m`: one
 * `message.created` row per bot of the conversation but the sender, in the same statement.
 * Only references are stored: the body is built when the event is delivered or pulled.
 */
export const MESSAGE_EVENTS_CTE = `ev AS (
    INSERT INTO bot_events (bot_account_id, type, conversation_id, message_id)
    SELECT aud.account_id, 'message.created', m.conversation_id, m.id
      FROM m, (${botAudienceSql('$1')}) aud
     WHERE aud.account_id <> m.sender_account_id
    RETURNING id, bot_account_id
  )`;

/** In SEND_SQL's final SELECT: the new events whose bot has an enabled webhook, to enqueue. */
export const MESSAGE_EVENTS_TO_PUSH = `ARRAY(SELECT ev.id FROM ev
      JOIN bot_webhooks w ON w.bot_account_id = ev.bot_account_id AND w.enabled) AS webhook_events`;

/**
 * Records an event for every bot of the conversation but `except`, inside the caller's
 * transaction. Returns the ids to enqueue after commit (bots with an enabled webhook).
 */
export async function recordBotEvents(
  trx: Knex.Transaction,
  type: BotEventType,
  conversationId: number,
  {
    except,
    messageId = null,
    payload = null,
  }: { except: number; messageId?: string | null; payload?: unknown },
): Promise<number[]> {
  const { rows } = await trx.raw(
    `WITH ev AS (
       INSERT INTO bot_events (bot_account_id, type, conversation_id, message_id, payload)
       SELECT aud.account_id, ?, ?::bigint, ?::uuid, ?::jsonb
         FROM (${botAudienceSql('?::bigint')}) aud
        WHERE aud.account_id <> ?
       RETURNING id, bot_account_id
     )
     SELECT ev.id FROM ev
       JOIN bot_webhooks w ON w.bot_account_id = ev.bot_account_id AND w.enabled`,
    [
      type,
      conversationId,
      messageId,
      payload === null ? null : JSON.stringify(payload),
      conversationId,
      conversationId,
      except,
    ],
  );
  return (rows as Array<{ id: string | number }>).map((r) => Number(r.id));
}
