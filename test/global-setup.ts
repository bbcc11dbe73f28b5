import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { createDb, migrate } from '../domain/db';
import { createRedis } from '../domain/redis';
import { adminQuery, baseUrl } from './helpers/pg-admin';

/**
 * One run = one migrated template database and one Redis key prefix, both named after a
 * random run id so that two runs on the same machine never collide. Everything is removed
 * at the end, including per-file databases a crashed file may have left.
 */
export default async function setup(project: TestProject) {
  const runId = `relais_t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const template = `${runId}_tpl`;
  await adminQuery(`CREATE DATABASE "${template}"`);
  const db = createDb(baseUrl(template));
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
  project.provide('runId', runId);
  project.provide('templateDb', template);

  return async () => {
    const rows = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE '${runId}%'`);
    for (const { datname } of rows) {
      await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${runId}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    templateDb: string;
  }
}
