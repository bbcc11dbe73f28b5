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
  const connection = createRedis(url, { maxRetriesPerRequest: null, enableAutoPipelining: false });
  // BullMQ reports connection errors on its queues' and workers' own 'error' events, which
  // their owners log; without a listener here ioredis would also print each retry.
  connection.on('error', () => undefined);
  return connection;
}
