import type { Redis } from 'ioredis';

export interface Window {
  count: number;
  retryAfterSeconds: number;
}

/** Current count of a fixed window counter, and how long until it resets. */
export async function peek(redis: Redis, key: string): Promise<Window> {
  const [count, ttl] = await Promise.all([redis.get(key), redis.ttl(key)]);
  return { count: Number(count ?? 0), retryAfterSeconds: Math.max(ttl, 0) };
}

/** Adds one to a fixed window counter that starts on the first hit. */
export async function hit(redis: Redis, key: string, windowSeconds: number): Promise<number> {
  const [[, count]] = (await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) as [
    [Error | null, number],
  ];
  return count;
}

export async function reset(redis: Redis, key: string): Promise<void> {
  await redis.del(key);
}
