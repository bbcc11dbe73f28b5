import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, person, pro, send } from '../conversations/fixtures';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { call, createUser, startTestApp, type TestApp } from '../helpers/server';

let redis: TestRedis;
let app: TestApp;
beforeAll(async () => {
  redis = await startRedis();
  app = await startTestApp({ env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  app.ctx.redis.disconnect();
  await app.server.stop({ timeout: 1000 });
  await app.database.drop();
  await redis.stop();
});

describe('limited actions while Redis is down', () => {
  it('answer 503 at once with a clear message, not a 500 after a long wait, and work again after', async () => {
    const user = await createUser(app.ctx);
    await redis.kill();
    const started = Date.now();
    const signIn = await call(app.server, 'POST', '/api/auth/login', {
      payload: { email: user.email, password: user.password },
    });
    const join = await call(app.server, 'GET', `/join/${'a'.repeat(32)}`);
    // Each waited at most the limiter's 2 s for Redis, not ioredis's ~10 s of retries.
    expect(Date.now() - started).toBeLessThan(6000);
    for (const res of [signIn, join]) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
    }
    expect(signIn.body.message).toMatch(/briefly unavailable.*Try again in a minute/);
    // Reading what one already has does not need Redis.
    expect((await call(app.server, 'GET', '/api/me', { token: user.token })).statusCode).toBe(200);

    await redis.start();
    const deadline = Date.now() + 15_000;
    let again = signIn;
    while (Date.now() < deadline) {
      again = await call(app.server, 'POST', '/api/auth/login', {
        payload: { email: user.email, password: user.password },
      });
      if (again.statusCode === 201) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(again.statusCode).toBe(201);
  });
});

describe('sending while Redis is down', () => {
  it('stores the message and answers within a few seconds; readers catch up later', async () => {
    const alice = await person(app.ctx, 'Alice', 'Martin');
    const bruno = await person(app.ctx, 'Bruno', 'Petit');
    const created = await create(app.server, alice.token, [pro(bruno.professionalId)]);
    const id = created.body.conversation.id;
    await redis.kill();
    try {
      const started = Date.now();
      const sent = await send(app.server, alice.token, id, 'Pendant la panne');
      // The event waits at most 2 s for Redis, not ioredis's minute of retries.
      expect(Date.now() - started).toBeLessThan(6000);
      expect(sent.statusCode).toBe(201);
      const page = await call(app.server, 'GET', `/api/conversations/${id}/messages`, {
        token: bruno.token,
      });
      expect(page.body.messages.map((m: { body: string }) => m.body)).toContain('Pendant la panne');
    } finally {
      await redis.start();
    }
  });
});
