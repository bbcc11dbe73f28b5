import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from './config';
import { createDb } from './db';
import { createLogger, type Logger } from './logger';
import { createRedis } from './redis';

/**
 * What the domain needs from the outside world, built once per process by an entry point
 * (server, workers, scripts) and passed down. Tests build it with their own database and
 * Redis prefix.
 */
export interface AppContext {
  config: Config;
  db: Knex;
  redis: Redis;
  logger: Logger;
  /**
   * The clock every rule that depends on the time of day reads (quiet hours, expiries,
   * delays). Tests pin it, so that no test depends on the date or hour it runs at.
   */
  now: () => Date;
}

export function createContext(
  config: Config,
  given: { db?: Knex; logger?: Logger; now?: () => Date } = {},
): AppContext {
  const logger = given.logger ?? createLogger(config.logLevel);
  const redis = createRedis(config.redisUrl, { keyPrefix: `${config.redisPrefix}:` });
  // ioredis reconnects by itself; without a listener each failed attempt would be an
  // "unhandled error event" on stderr. /ready reports the outage to operators.
  let lastLogged = 0;
  redis.on('error', (err) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger.warn({ err: err.message }, 'Redis connection error');
  });
  return {
    config,
    db: given.db ?? createDb(config.databaseUrl),
    redis,
    logger,
    now: given.now ?? (() => new Date()),
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await Promise.allSettled([ctx.db.destroy(), ctx.redis.quit()]);
}
