import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSource } from '../../domain/db';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe('migrations', () => {
  it('create the directory and account tables, and roll back cleanly', async () => {
    for (const table of ['professionals', 'structures', 'activities', 'accounts', 'sessions']) {
      expect(await t.db.schema.hasTable(table)).toBe(true);
    }
    await t.db.migrate.rollback({ migrationSource }, true);
    expect(await t.db.schema.hasTable('accounts')).toBe(false);
  });
});
