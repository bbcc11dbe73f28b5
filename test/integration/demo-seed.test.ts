import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from '../../scripts/demo/seed';
import { call, startTestApp, type TestApp } from '../helpers/server';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.ctx);
}, 120_000);
afterAll(() => app.stop());

async function members(name: string): Promise<string[]> {
  const rows = await app.ctx
    .db('structure_members as m')
    .join('structures as s', 's.id', 'm.structure_id')
    .join('accounts as a', 'a.id', 'm.account_id')
    .where('s.name', name)
    .select('a.first_name');
  return rows.map((r) => r.first_name);
}

describe('the demo dataset', () => {
  it("has the seed card's structures: DAC SESAN staffed, testpmsesan empty, MSF with Mathilde", async () => {
    expect((await members('DAC SESAN')).length).toBeGreaterThanOrEqual(2);
    expect(await members('testpmsesan')).toEqual([]);
    expect(await members('MSF')).toContain('Mathilde');
  });

  it('has active and inactive accounts linked to directory professionals', async () => {
    const counts = await app.ctx
      .db('accounts')
      .whereNotNull('professional_id')
      .select(
        app.ctx.db.raw(
          "count(*) FILTER (WHERE last_active_at >= now() - interval '30 days') AS active",
        ),
        app.ctx.db.raw(
          "count(*) FILTER (WHERE last_active_at < now() - interval '30 days') AS inactive",
        ),
      )
      .first();
    expect(Number(counts.active)).toBeGreaterThan(0);
    expect(Number(counts.inactive)).toBeGreaterThan(0);
  });

  it('lets every printed demo user sign in with the printed password', async () => {
    for (const user of DEMO_USERS) {
      const res = await call(app.server, 'POST', '/api/auth/login', {
        payload: { email: user.email, password: DEMO_PASSWORD },
      });
      expect(res.statusCode, user.email).toBe(201);
    }
  });
});
