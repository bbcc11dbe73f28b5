import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from './config';

/**
 * Checks that PostgreSQL and Redis answer before anything else starts, so that a newcomer
 * with a stopped service gets one clear sentence (what, where, how to start it) instead of
 * a stack trace from deep inside a pool.
 */
export class ServiceUnavailableError extends Error {
  constructor(
    public readonly service: 'PostgreSQL' | 'Redis',
    public readonly url: string,
    reason: string,
  ) {
    super(`${service} is not reachable at ${url} (${reason}).\n${howToStart(service)}`);
    this.name = 'ServiceUnavailableError';
  }
}

function howToStart(service: 'PostgreSQL' | 'Redis'): string {
  return service === 'PostgreSQL'
    ? [
        'Start it, then run the command again:',
        '  - Debian/Ubuntu packages: sudo pg_ctlcluster 15 main start (or: sudo systemctl start postgresql)',
        '  - Docker: docker compose up -d postgres redis',
        '  - elsewhere: set DATABASE_URL to a reachable server',
      ].join('\n')
    : [
        'Start it, then run the command again:',
        '  - Debian/Ubuntu packages: sudo systemctl start redis-server (or: redis-server --daemonize yes)',
        '  - Docker: docker compose up -d postgres redis',
        '  - elsewhere: set REDIS_URL to a reachable server',
      ].join('\n');
}

/** The URL without its password, fit for a message. */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}

export async function checkPostgres(databaseUrl: string, timeoutMs = 3000): Promise<void> {
  // Connect to the maintenance database: the application database may not exist yet.
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new ServiceUnavailableError('PostgreSQL', safeUrl(databaseUrl), describe(err));
  } finally {
    await client.end().catch(() => {});
  }
}

export async function checkRedis(redisUrl: string, timeoutMs = 3000): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new ServiceUnavailableError('Redis', safeUrl(redisUrl), describe(err));
  } finally {
    redis.disconnect();
  }
}

export async function checkServices(config: Config): Promise<void> {
  await checkPostgres(config.databaseUrl);
  await checkRedis(config.redisUrl);
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}
