import Boom from '@hapi/boom';
import type { Knex } from 'knex';
import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { recordBotEvents } from '../webhooks/outbox';
import { enqueueWebhooksAfterCommit } from '../webhooks/queue';
import { audienceOf, type Reader, requireSeats } from './access';
import { loadConversation, NOW_MS } from './load';
import { type ParticipantRef, personalRef, refColumns, resolveRecipients } from './participants';
import type { ConversationRecord } from './records';

/**
 * Any participant may add participants (S7 after creation); they see the whole history.
 * Someone who had left is brought back. Adding is activity: the conversation moves up the
 * lists and reconnecting clients learn about it.
 */
export async function addParticipants(
  ctx: AppContext,
  actor: Reader,
  conversationId: number,
  recipients: ParticipantRef[],
): Promise<{ conversation: ConversationRecord; added: ParticipantRef[] }> {
  const { db } = ctx;
  await requireSeats(db, actor, conversationId);
  const refs = await resolveRecipients(db, recipients);
  const { added, audience, webhookEvents } = await db.transaction(async (trx) => {
    await lockConversation(trx, conversationId);
    const before = await audienceOf(trx, conversationId);
    const added: ParticipantRef[] = [];
    for (const ref of refs) {
      const cols = refColumns(ref);
      const column = `${ref.kind}_id` as const;
      const existing = await trx('conversation_participants')
        .where({ conversation_id: conversationId, [column]: ref.id })
        .first('id', 'left_at');
      if (existing && !existing.left_at) continue;
      if (existing) {
        await trx('conversation_participants')
          .where({ id: existing.id })
          .update({ left_at: null, added_by: actor.accountId, added_at: trx.fn.now() });
      } else {
        await trx('conversation_participants').insert({
          conversation_id: conversationId,
          added_by: actor.accountId,
          ...cols,
        });
      }
      added.push(ref);
    }
    if (added.length) await touch(trx, conversationId);
    const after = await audienceOf(trx, conversationId);
    // The bots of the conversation, those just added too, learn of it (outbox).
    const webhookEvents = added.length
      ? await recordBotEvents(trx, 'participant.added', conversationId, {
          except: actor.accountId,
          payload: { added },
        })
      : [];
    return { added, audience: [...new Set([...before, ...after])], webhookEvents };
  });
  const conversation = await loadConversation(db, conversationId, ctx.config.inactivityDays);
  if (added.length) {
    await publishEvent(ctx, audience, {
      type: 'participants.changed',
      conversation,
      added,
      removed: [],
    });
    await enqueueWebhooksAfterCommit(ctx, webhookEvents);
  }
  return { conversation, added };
}

/**
 * Leaves a conversation in person, or withdraws a structure the actor is attached to.
 * Whoever loses access with it is told (participants.changed), then hears nothing more.
 */
export async function leaveConversation(
  ctx: AppContext,
  actor: Reader,
  conversationId: number,
  { onBehalfOf }: { onBehalfOf?: number | null } = {},
): Promise<void> {
  const { db } = ctx;
  const seats = await requireSeats(db, actor, conversationId);
  let ref: ParticipantRef;
  if (onBehalfOf) {
    if (!seats.structureIds.includes(onBehalfOf)) {
      throw Boom.forbidden('You are not attached to this structure in this conversation');
    }
    ref = { kind: 'structure', id: onBehalfOf };
  } else {
    if (!seats.personal) {
      throw Boom.conflict('You take part through a structure: say which one to withdraw');
    }
    ref = personalRef(actor);
  }
  const audience = await db.transaction(async (trx) => {
    await lockConversation(trx, conversationId);
    const before = await audienceOf(trx, conversationId);
    await trx('conversation_participants')
      .where({ conversation_id: conversationId, [`${ref.kind}_id`]: ref.id })
      .whereNull('left_at')
      .update({ left_at: trx.fn.now() });
    await touch(trx, conversationId);
    return before;
  });
  const conversation = await loadConversation(db, conversationId, ctx.config.inactivityDays);
  await publishEvent(ctx, audience, {
    type: 'participants.changed',
    conversation,
    added: [],
    removed: [ref],
  });
}

/** Serialises membership changes of one conversation (and orders them with messages). */
async function lockConversation(trx: Knex.Transaction, conversationId: number) {
  await trx('conversations').where({ id: conversationId }).forUpdate().first('id');
}

async function touch(trx: Knex.Transaction, conversationId: number) {
  await trx('conversations')
    .where({ id: conversationId })
    .update({ last_activity_at: trx.raw(NOW_MS) });
}
