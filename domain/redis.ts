import { Redis, type RedisOptions } from 'ioredis';

/**
 * One factory for every Redis connection, so that the key prefix (per deployment, per test
 * run) is applied everywhere. BullMQ takes the prefix through its own `prefix` option and
 * needs `maxRetriesPerRequest: null` on the connections its workers block on.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { lazyConnect: false, enableAutoPipelining: true, ...options });
}

export function bullConnection(url: string): Redis {
  return createRedis(url, { maxRetriesPerRequest: null, enableAutoPipelining: false });
}
