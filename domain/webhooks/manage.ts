import Boom from '@hapi/boom';
import { type BotActor, requireBot } from '../bots/access';
import type { AppContext } from '../context';
import { fieldError } from '../conversations/errors';
import { undeliveredEvents } from './deliver';
import { enqueueReplay, enqueueWebhooksAfterCommit } from './queue';
import { newWebhookSecret, SECRET_PREFIX } from './signing';
import { checkWebhookUrl } from './ssrf';

/**
 * A bot's webhook, managed by the bot's managers (as the bot itself, domain/bots/access.ts):
 * its URL, its signing secrets, its delivery log, replays (docs/bots.md "Webhooks").
 */
export const MAX_VALID_SECRETS = 5;

export interface WebhookSecretView {
  id: number;
  /** The secret's first characters, to tell which one a receiver holds. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface WebhookView {
  url: string;
  enabled: boolean;
  disabledAt: string | null;
  /** Why Relais stopped delivering (410 Gone, every try failed): the owners' notice. */
  disabledReason: string | null;
  createdAt: string;
  secrets: WebhookSecretView[];
  /** Events not delivered yet. */
  pending: number;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

async function view(ctx: AppContext, botId: number): Promise<WebhookView | null> {
  const { db } = ctx;
  const hook = await db('bot_webhooks').where({ bot_account_id: botId }).first();
  if (!hook) return null;
  const secrets = await db('bot_webhook_secrets')
    .where({ bot_account_id: botId })
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
    .orderBy('id');
  const [{ count }] = await db('bot_events')
    .where({ bot_account_id: botId })
    .whereNull('delivered_at')
    .where('created_at', '>=', hook.created_at)
    .count({ count: '*' });
  return {
    url: hook.url,
    enabled: hook.enabled,
    disabledAt: iso(hook.disabled_at),
    disabledReason: hook.disabled_reason,
    createdAt: iso(hook.created_at) as string,
    secrets: secrets.map(secretView),
    pending: Number(count),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a bot_webhook_secrets row
function secretView(r: any): WebhookSecretView {
  return {
    id: Number(r.id),
    prefix: `${String(r.secret).slice(0, SECRET_PREFIX.length + 4)}…`,
    createdAt: iso(r.created_at) as string,
    expiresAt: iso(r.expires_at),
  };
}

export async function getWebhook(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
): Promise<WebhookView> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const hook = await view(ctx, botId);
  if (!hook) throw Boom.notFound('This bot has no webhook');
  return hook;
}

/**
 * Sets the bot's webhook URL (checked: https in production, no address inside the
 * network unless allowed) and enables it. The first time, a secret is made and returned:
 * the only time it is shown.
 */
export async function setWebhook(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  rawUrl: string,
): Promise<{ webhook: WebhookView; secret: string | null; created: boolean }> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const checked = await checkWebhookUrl(
    ctx.config.webhooks,
    ctx.config.env === 'production',
    rawUrl,
  );
  if ('problem' in checked) throw fieldError('url', checked.problem);
  let secret: string | null = null;
  const created = await ctx.db.transaction(async (trx) => {
    const existing = await trx('bot_webhooks')
      .where({ bot_account_id: botId })
      .forUpdate()
      .first('bot_account_id');
    if (existing) {
      await trx('bot_webhooks').where({ bot_account_id: botId }).update({
        url: checked.url,
        enabled: true,
        disabled_at: null,
        disabled_reason: null,
        updated_at: trx.fn.now(),
      });
      return false;
    }
    await trx('bot_webhooks').insert({ bot_account_id: botId, url: checked.url });
    const valid = await trx('bot_webhook_secrets')
      .where({ bot_account_id: botId })
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()))
      .first('id');
    if (!valid) {
      secret = newWebhookSecret();
      await trx('bot_webhook_secrets').insert({ bot_account_id: botId, secret });
    }
    return true;
  });
  ctx.logger.info({ botId, by: actor.accountId, created }, 'bot webhook set');
  return { webhook: (await view(ctx, botId)) as WebhookView, secret, created };
}

/** Removes the webhook and its secrets; events stay for the pull API. */
export async function deleteWebhook(ctx: AppContext, actor: BotActor, botId: number) {
  await requireBot(ctx.db, actor, botId, 'manage');
  await ctx.db.transaction(async (trx) => {
    const removed = await trx('bot_webhooks').where({ bot_account_id: botId }).delete();
    if (!removed) throw Boom.notFound('This bot has no webhook');
    await trx('bot_webhook_secrets').where({ bot_account_id: botId }).delete();
  });
}

/**
 * Rotation: a new secret, returned once. The others stay valid (every request is signed
 * with each) until revoked, or for `previousValidHours` if given.
 */
export async function rotateWebhookSecret(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  { previousValidHours }: { previousValidHours?: number } = {},
): Promise<WebhookSecretView & { secret: string }> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const secret = newWebhookSecret();
  const row = await ctx.db.transaction(async (trx) => {
    const hook = await trx('bot_webhooks')
      .where({ bot_account_id: botId })
      .forUpdate()
      .first('bot_account_id');
    if (!hook) throw Boom.notFound('This bot has no webhook');
    const valid = trx('bot_webhook_secrets')
      .where({ bot_account_id: botId })
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()));
    const [{ count }] = await valid.clone().count({ count: '*' });
    if (Number(count) >= MAX_VALID_SECRETS) {
      throw Boom.conflict(`At most ${MAX_VALID_SECRETS} valid secrets: revoke one first`);
    }
    if (previousValidHours !== undefined) {
      await valid.clone().update({
        expires_at: trx.raw(
          "least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => ?))",
          [previousValidHours * 3600],
        ),
      });
    }
    const [inserted] = await trx('bot_webhook_secrets')
      .insert({ bot_account_id: botId, secret })
      .returning('*');
    return inserted;
  });
  ctx.logger.info({ botId, by: actor.accountId }, 'bot webhook secret created');
  return { ...secretView(row), secret };
}

/** Revokes a secret (at once). The last valid one may not go: the webhook would be unsigned. */
export async function revokeWebhookSecret(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  secretId: number,
) {
  await requireBot(ctx.db, actor, botId, 'manage');
  await ctx.db.transaction(async (trx) => {
    await trx('bot_webhooks').where({ bot_account_id: botId }).forUpdate().first('bot_account_id');
    const valid = await trx('bot_webhook_secrets')
      .where({ bot_account_id: botId })
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()))
      .select('id');
    if (!valid.some((r: { id: string }) => Number(r.id) === secretId)) {
      throw Boom.notFound('No such secret');
    }
    if (valid.length === 1) {
      throw Boom.conflict('This is the only valid secret: create the next one first');
    }
    await trx('bot_webhook_secrets').where({ id: secretId }).delete();
  });
}

/** Enables a disabled webhook; the events that waited are sent at once. */
export async function enableWebhook(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
): Promise<WebhookView> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const changed = await ctx.db('bot_webhooks').where({ bot_account_id: botId }).update({
    enabled: true,
    disabled_at: null,
    disabled_reason: null,
    updated_at: ctx.db.fn.now(),
  });
  if (!changed) throw Boom.notFound('This bot has no webhook');
  await enqueueWebhooksAfterCommit(ctx, await undeliveredEvents(ctx, { botId, minAgeSeconds: 0 }));
  return (await view(ctx, botId)) as WebhookView;
}

export interface DeliveryView {
  id: number;
  eventId: number;
  webhookId: string;
  type: string;
  attempt: number;
  replay: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  createdAt: string;
}

/** The delivery log, newest first; `before` pages back. */
export async function listDeliveries(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  { before, limit = 50, eventId }: { before?: number; limit?: number; eventId?: number },
): Promise<{ deliveries: DeliveryView[] }> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const query = ctx
    .db('webhook_deliveries as d')
    .join('bot_events as e', 'e.id', 'd.event_id')
    .where('d.bot_account_id', botId)
    .orderBy('d.id', 'desc')
    .limit(limit)
    .select('d.*', 'e.type');
  if (before) query.where('d.id', '<', before);
  if (eventId) query.where('d.event_id', eventId);
  return {
    deliveries: (await query).map((r) => ({
      id: Number(r.id),
      eventId: Number(r.event_id),
      webhookId: `evt_${r.event_id}`,
      type: r.type,
      attempt: r.attempt,
      replay: r.replay,
      statusCode: r.status_code,
      error: r.error,
      durationMs: r.duration_ms,
      createdAt: iso(r.created_at) as string,
    })),
  };
}

/** Sends an event again (delivered or not): a new request, the same `webhook-id`. */
export async function replayEvent(
  ctx: AppContext,
  actor: BotActor,
  botId: number,
  eventId: number,
): Promise<void> {
  await requireBot(ctx.db, actor, botId, 'manage');
  const event = await ctx
    .db('bot_events')
    .where({ id: eventId, bot_account_id: botId })
    .first('id');
  if (!event) throw Boom.notFound('No such event for this bot');
  const hook = await ctx.db('bot_webhooks').where({ bot_account_id: botId }).first('enabled');
  if (!hook) throw Boom.conflict('This bot has no webhook');
  if (!hook.enabled) throw Boom.conflict('The webhook is disabled: enable it first');
  try {
    await enqueueReplay(ctx, eventId);
  } catch (err) {
    throw Boom.serverUnavailable(`The replay could not be queued: ${(err as Error).message}`);
  }
}
