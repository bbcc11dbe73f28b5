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
}

export function createContext(config: Config, logger?: Logger): AppContext {
  return {
    config,
    db: createDb(config.databaseUrl),
    redis: createRedis(config.redisUrl, { keyPrefix: `${config.redisPrefix}:` }),
    logger: logger ?? createLogger(config.logLevel),
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await Promise.allSettled([ctx.db.destroy(), ctx.redis.quit()]);
}
