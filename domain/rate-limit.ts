import Boom from '@hapi/boom';
import type { Redis } from 'ioredis';
import { within } from './within';

/**
 * Fixed-window counters in Redis. Every decision is taken by ONE Redis script that counts
 * and compares in the same step: a "read, then act, then count" sequence lets a burst of
 * parallel requests all read the same count and all pass (60 parallel wrong passwords
 * were all checked against a limit of 5).
 */

export interface Decision {
  allowed: boolean;
  /** The count after this attempt (attempts refused past the limit are not counted). */
  count: number;
  /** Seconds until the window ends (0 when no window is open). */
  retryAfterSeconds: number;
}

// KEYS: the counters; ARGV: limit per key (same order), window in seconds.
// Refuses when any counter has reached its limit (counting nothing), else counts one on
// each. A window starts on its first hit and is not extended by later ones.
const CONSUME_SCRIPT = `
local window = tonumber(ARGV[#ARGV])
local worst = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i]) then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then ttl = window end
    if ttl > worst then worst = ttl end
  end
end
if worst > 0 then return {0, 0, worst} end
local first = 0
local longest = 0
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, window) end
  if i == 1 then first = count end
  local ttl = redis.call('TTL', key)
  if ttl > longest then longest = ttl end
end
return {1, first, longest}
`;

interface ScriptRedis extends Redis {
  relaisConsume(...args: Array<string | number>): Promise<[number, number, number]>;
}

function scripted(redis: Redis): ScriptRedis {
  const r = redis as ScriptRedis;
  if (typeof r.relaisConsume !== 'function') {
    r.defineCommand('relaisConsume', { lua: CONSUME_SCRIPT });
  }
  return r;
}

/**
 * Counts one attempt against every `limits` entry (key → limit) at once, atomically:
 * allowed only when every counter is below its limit, in which case each is incremented.
 */
export async function consumeAll(
  redis: Redis,
  limits: Array<[key: string, limit: number]>,
  windowSeconds: number,
): Promise<Decision> {
  const keys = limits.map(([key]) => key);
  const [allowed, count, ttl] = await answered(
    scripted(redis).relaisConsume(
      keys.length,
      ...keys,
      ...limits.map(([, limit]) => limit),
      windowSeconds,
    ),
  );
  return { allowed: allowed === 1, count, retryAfterSeconds: Math.max(ttl, 0) };
}

/** How long a limit may wait for Redis before the request is refused. */
const REDIS_WAIT_MS = 2000;

/**
 * Without Redis nothing can be counted, so a limited action fails closed, at once and
 * clearly (503 + Retry-After), instead of waiting for ioredis's retries (about 10 s) and
 * ending in a 500, or going through unlimited.
 */
export async function answered<T>(command: Promise<T>): Promise<T> {
  try {
    return await within(command, REDIS_WAIT_MS);
  } catch {
    const error = Boom.serverUnavailable(
      'This action is briefly unavailable (its safety limits cannot be checked). Try again in a minute.',
    );
    error.output.headers['Retry-After'] = '30';
    throw error;
  }
}

/** One counter: counts this attempt and says whether it is allowed. */
export function consume(
  redis: Redis,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<Decision> {
  return consumeAll(redis, [[key, limit]], windowSeconds);
}

/** Gives back one attempt (a sign-in that succeeded was not a failure). */
export async function release(redis: Redis, key: string): Promise<void> {
  await answered(redis.decr(key));
}

export async function reset(redis: Redis, key: string): Promise<void> {
  await answered(redis.del(key));
}

/** 429 with Retry-After, in whole minutes for people. */
export function tooMany(message: string, retryAfterSeconds: number): Boom.Boom {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  const error = Boom.tooManyRequests(
    `${message} Try again in ${Math.ceil(seconds / 60)} minute(s).`,
  );
  error.output.headers['Retry-After'] = String(seconds);
  return error;
}
