import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { inject } from 'vitest';
import { createDb } from '../../domain/db';
import { adminQuery, baseUrl } from './pg-admin';

export interface TestDatabase {
  name: string;
  url: string;
  db: Knex;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${inject('runId')}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${inject('templateDb')}"`);
  const url = baseUrl(name);
  const db = createDb(url);
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** A Redis key prefix private to one test file, under the run's prefix (removed at the end). */
export function testRedisPrefix(): string {
  return `${inject('runId')}:${randomBytes(4).toString('hex')}`;
}
