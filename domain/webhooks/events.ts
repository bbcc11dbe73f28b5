import type { AppContext } from '../context';
import { loadConversation } from '../conversations/load';
import {
  type ConversationRecord,
  type MessageRecord,
  messagesQuery,
  toMessageRecord,
  withAttachments,
} from '../conversations/records';
import { EVENT_LOCK_CLASS } from './outbox';
import { webhookIdOf } from './signing';

/**
 * The bodies of bot events, built from the outbox's references when an event is delivered
 * or pulled (the send stays one statement): the same JSON in a webhook request and in the
 * pull API. Conversations are read as they are at that time.
 */
export interface EventRow {
  id: string | number;
  bot_account_id: string | number;
  type: string;
  conversation_id: string | number | null;
  message_id: string | null;
  payload: unknown;
  created_at: Date;
}

export interface EventBody {
  type: string;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

/** A message as a bot receives it: its files by id (GET /api/attachments/{id} reads one). */
function messageData(m: MessageRecord) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    body: m.body,
    createdAt: m.createdAt,
    sender: m.sender,
    structure: m.structure,
    attachments: m.attachments
      .filter((a) => a.status !== 'rejected')
      .map((a) => ({
        id: a.id,
        name: a.name,
        mediaType: a.servedType ?? a.mediaType,
        size: a.servedSize ?? a.size,
        kind: a.kind,
        status: a.status,
      })),
  };
}

export async function eventBodies(
  ctx: AppContext,
  rows: EventRow[],
): Promise<Map<number, EventBody>> {
  const { db } = ctx;
  const messageIds = [...new Set(rows.map((r) => r.message_id).filter((id): id is string => !!id))];
  const messages = new Map<string, ReturnType<typeof messageData>>();
  if (messageIds.length) {
    const found = await withAttachments(
      db,
      (await messagesQuery(db).whereIn('m.id', messageIds)).map(toMessageRecord),
    );
    for (const m of found) messages.set(m.id, messageData(m));
  }
  const conversations = new Map<number, ConversationRecord>();
  for (const r of rows) {
    if (r.type === 'message.created' || r.conversation_id === null) continue;
    const id = Number(r.conversation_id);
    if (!conversations.has(id)) {
      conversations.set(id, await loadConversation(db, id, ctx.config.inactivityDays));
    }
  }
  const bodies = new Map<number, EventBody>();
  for (const r of rows) {
    const conversationId = r.conversation_id === null ? null : Number(r.conversation_id);
    const message = r.message_id ? (messages.get(r.message_id) ?? null) : null;
    let data: Record<string, unknown>;
    switch (r.type) {
      case 'message.created':
        data = { conversationId, message };
        break;
      case 'conversation.created':
        data = { conversation: conversations.get(conversationId as number) ?? null, message };
        break;
      case 'participant.added':
        data = {
          conversation: conversations.get(conversationId as number) ?? null,
          ...((r.payload as Record<string, unknown> | null) ?? {}),
        };
        break;
      default:
        data = { conversationId, ...((r.payload as Record<string, unknown> | null) ?? {}) };
    }
    bodies.set(Number(r.id), {
      type: r.type,
      timestamp: new Date(r.created_at).toISOString(),
      data,
    });
  }
  return bodies;
}

export const EVENT_COLUMNS = [
  'id',
  'bot_account_id',
  'type',
  'conversation_id',
  'message_id',
  'payload',
  'created_at',
] as const;

export interface PulledEvent extends EventBody {
  /** The `webhook-id` the same event has in a webhook request. */
  id: string;
  cursor: number;
}

export interface EventPage {
  events: PulledEvent[];
  /** Ask again with `after=nextCursor` (the same value when nothing new). */
  nextCursor: number;
}

/**
 * The pull API: a bot's events after `after`, in order. Reads no further than the
 * high-water mark under which every event id is committed (see outbox.ts), so an event
 * committed late is never skipped by a cursor that moved past it.
 */
export async function pullEvents(
  ctx: AppContext,
  botId: number,
  { after = 0, limit = 100 }: { after?: number; limit?: number },
): Promise<EventPage> {
  const { db } = ctx;
  const highWater = await db.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?, (?::bigint % 2147483647)::int)', [
      EVENT_LOCK_CLASS,
      botId,
    ]);
    const { rows } = await trx.raw('SELECT last_value FROM bot_events_id_seq');
    return Number(rows[0].last_value);
  });
  const rows: EventRow[] = await db('bot_events')
    .where('bot_account_id', botId)
    .where('id', '>', after)
    .where('id', '<=', highWater)
    .orderBy('id')
    .limit(limit)
    .select(...EVENT_COLUMNS);
  const bodies = await eventBodies(ctx, rows);
  const events = rows.map((r) => ({
    id: webhookIdOf(Number(r.id)),
    cursor: Number(r.id),
    ...(bodies.get(Number(r.id)) as EventBody),
  }));
  return { events, nextCursor: events.length ? (events.at(-1) as PulledEvent).cursor : after };
}
