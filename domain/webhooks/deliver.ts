import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { AppContext } from '../context';
import { EVENT_COLUMNS, type EventRow, eventBodies } from './events';
import { webhookHeaders, webhookIdOf } from './signing';
import { guardedAgents } from './ssrf';

/**
 * Delivers one bot event to its bot's webhook (issue 12; docs/bots.md "Webhooks"): signed
 * per Standard Webhooks, one request with a time limit, every attempt logged in
 * webhook_deliveries. The BullMQ worker (workers/webhooks.ts) retries what this throws as
 * a RetryableDelivery after its `delayMs`.
 *
 * - 2xx: delivered (the event is never sent again by a duplicate job).
 * - 410 Gone: the webhook is disabled at once, with the reason.
 * - anything else (other status, time-out, refused address, network error): retried with
 *   exponential backoff and jitter (`Retry-After` honoured on 429 and 503); the last try's
 *   failure disables the webhook with the reason.
 * - a disabled or removed webhook: nothing is sent; the event waits (the sweep sends it
 *   once the webhook is enabled again, and the pull API has it meanwhile).
 */
export interface BackoffPolicy {
  /** First retry's delay; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** ± this fraction of the delay at random (0.2: between 80 % and 120 %). */
  jitter: number;
  /** Longest Retry-After obeyed (a longer one is cut to this). */
  maxRetryAfterMs: number;
}

/** 12 tries: 1, 2, 4 … 256 min, then 6 h twice, about 20 h in all (± 20 % each). */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseDelayMs: 60_000,
  maxDelayMs: 6 * 3600_000,
  jitter: 0.2,
  maxRetryAfterMs: 6 * 3600_000,
};

export function backoffDelay(policy: BackoffPolicy, failedAttempts: number): number {
  const plain = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1),
  );
  const spread = plain * policy.jitter * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(plain + spread));
}

/** A failure worth another try, after `delayMs`. */
export class RetryableDelivery extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryableDelivery';
  }
}

export type DeliveryOutcome =
  | 'delivered'
  | 'already-delivered'
  | 'in-flight'
  | 'webhook-off'
  | 'gone'
  | 'disabled-after-failures';

export interface DeliveryOptions {
  /** A manual replay: sent even if delivered already; a failure is logged, not retried. */
  replay?: boolean;
  /** This is the job's last try: a failure disables the webhook. */
  lastTry?: boolean;
  backoff?: BackoffPolicy;
  agents?: { http: http.Agent; https: https.Agent };
}

const agentsByCtx = new WeakMap<AppContext, { http: http.Agent; https: https.Agent }>();

export function webhookAgents(ctx: AppContext) {
  let agents = agentsByCtx.get(ctx);
  if (!agents) {
    agents = guardedAgents(ctx.config.webhooks);
    agentsByCtx.set(ctx, agents);
  }
  return agents;
}

interface Response {
  status: number;
  retryAfter: string | null;
  text: string;
}

function post(
  agents: { http: http.Agent; https: https.Agent },
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = (secure ? https : http).request(target, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Relais-Webhooks/1',
      },
    });
    request.on('error', (err) =>
      reject(err.name === 'AbortError' ? new Error(`No answer within ${timeoutMs} ms`) : err),
    );
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        // Only the start is kept, for the delivery log; the rest is read and dropped.
        if (size < 1024) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', reject);
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          text: Buffer.concat(chunks).toString('utf8').slice(0, 300),
        });
      });
    });
    request.end(body);
  });
}

/** Retry-After in seconds or as an HTTP date, in ms from now (null: absent or unreadable). */
export function retryAfterMs(value: string | null, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

export async function disableWebhook(ctx: AppContext, botId: number, reason: string) {
  const changed = await ctx
    .db('bot_webhooks')
    .where({ bot_account_id: botId, enabled: true })
    .update({ enabled: false, disabled_at: ctx.db.fn.now(), disabled_reason: reason });
  if (changed) {
    // The owners' notice: this line for the operators' alerting, and the reason on
    // GET /api/bots/{id}/webhook for the bot's managers.
    ctx.logger.warn({ botId, reason, notice: 'webhook-disabled' }, 'bot webhook disabled');
  }
}

export async function deliverEvent(
  ctx: AppContext,
  eventId: number,
  options: DeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const { db, config } = ctx;
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = config.webhooks.timeoutMs;
  // Claim the event (a duplicate job finds it taken, or delivered, and does nothing).
  const claim = db('bot_events')
    .where({ id: eventId })
    .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', db.fn.now()))
    .whereExists(
      db('bot_webhooks as w')
        .whereRaw('w.bot_account_id = bot_events.bot_account_id')
        .where('w.enabled', true),
    )
    .update({
      claimed_until: db.raw('now() + make_interval(secs => ?)', [timeoutMs / 1000 + 15]),
      attempts: db.raw('attempts + 1'),
    })
    .returning([...EVENT_COLUMNS, 'attempts']);
  if (!options.replay) claim.whereNull('delivered_at');
  const [event]: Array<EventRow & { attempts: number }> = await claim;
  if (!event) {
    const row = await db('bot_events as e')
      .leftJoin('bot_webhooks as w', 'w.bot_account_id', 'e.bot_account_id')
      .where('e.id', eventId)
      .first('e.delivered_at', 'w.enabled');
    if (!row) return 'webhook-off'; // the bot was deleted with its events
    if (row.delivered_at && !options.replay) return 'already-delivered';
    if (!row.enabled) return 'webhook-off';
    return 'in-flight';
  }
  const botId = Number(event.bot_account_id);
  const webhook = await db('bot_webhooks').where({ bot_account_id: botId }).first('url');
  const secrets: string[] = (
    await db('bot_webhook_secrets')
      .where({ bot_account_id: botId })
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
      .orderBy('id', 'desc')
      .select('secret')
  ).map((r: { secret: string }) => r.secret);

  const body = JSON.stringify((await eventBodies(ctx, [event])).get(eventId));
  const webhookId = webhookIdOf(eventId);
  const timestamp = Math.floor(ctx.now().getTime() / 1000);
  const started = performance.now();
  let response: Response | null = null;
  let error: string | null = null;
  try {
    if (!secrets.length) throw new Error('The webhook has no valid secret: create one');
    response = await post(
      options.agents ?? webhookAgents(ctx),
      webhook.url,
      webhookHeaders(secrets, webhookId, timestamp, body),
      body,
      timeoutMs,
    );
    if (response.status < 200 || response.status > 299) {
      error = `HTTP ${response.status}${response.text ? `: ${response.text}` : ''}`;
    }
  } catch (err) {
    error = (err as Error).message;
  }
  const durationMs = Math.round(performance.now() - started);
  const status = response?.status ?? null;
  await db('webhook_deliveries').insert({
    event_id: eventId,
    bot_account_id: botId,
    attempt: event.attempts,
    status_code: status,
    error,
    duration_ms: durationMs,
    replay: options.replay ?? false,
  });

  if (!error) {
    await db('bot_events')
      .where({ id: eventId })
      .update({
        delivered_at: db.raw('coalesce(delivered_at, now())'),
        last_status: status,
        claimed_until: null,
        next_attempt_at: null,
      });
    return 'delivered';
  }
  if (status === 410) {
    await db('bot_events')
      .where({ id: eventId })
      .update({ last_status: status, claimed_until: null });
    await disableWebhook(
      ctx,
      botId,
      `410 Gone from ${webhook.url} for ${webhookId}: the receiver asked to stop`,
    );
    return 'gone';
  }
  const told =
    status === 429 || status === 503 ? retryAfterMs(response?.retryAfter ?? null, ctx.now()) : null;
  const delayMs =
    told !== null
      ? Math.min(Math.max(told, 1000), policy.maxRetryAfterMs)
      : backoffDelay(policy, event.attempts);
  const final = options.lastTry && !options.replay;
  await db('bot_events')
    .where({ id: eventId })
    .update({
      last_status: status,
      claimed_until: null,
      next_attempt_at: final ? null : db.raw('now() + make_interval(secs => ?)', [delayMs / 1000]),
    });
  if (options.replay) throw new Error(`Replay of ${webhookId} failed: ${error}`);
  if (final) {
    await disableWebhook(
      ctx,
      botId,
      `${webhookId} failed ${event.attempts} times (last: ${error}); enable the webhook again once the receiver works`,
    );
    return 'disabled-after-failures';
  }
  throw new RetryableDelivery(`${webhookId}: ${error}`, delayMs);
}

/**
 * Re-enqueues events left undelivered (a crash between commit and enqueue, Redis down or
 * emptied, a webhook enabled again). Only events since the webhook was registered, of
 * enabled webhooks, not waiting for a retry; older than 30 s, so the enqueue after commit
 * goes first. Job ids make a job still queued count once.
 */
export async function undeliveredEvents(
  ctx: AppContext,
  {
    botId,
    batch = 2000,
    minAgeSeconds = 30,
  }: { botId?: number; batch?: number; minAgeSeconds?: number } = {},
): Promise<number[]> {
  const { db } = ctx;
  const query = db('bot_events as e')
    .join('bot_webhooks as w', 'w.bot_account_id', 'e.bot_account_id')
    .whereNull('e.delivered_at')
    .where('w.enabled', true)
    .whereRaw('e.created_at >= w.created_at')
    .whereRaw('e.created_at < now() - make_interval(secs => ?)', [minAgeSeconds])
    .where((q) => q.whereNull('e.next_attempt_at').orWhere('e.next_attempt_at', '<', db.fn.now()))
    .orderBy('e.id')
    .limit(batch)
    .select('e.id');
  if (botId) query.where('e.bot_account_id', botId);
  return (await query).map((r: { id: string }) => Number(r.id));
}
