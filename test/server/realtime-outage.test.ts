import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer as createNetServer } from 'node:net';
import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEvent } from '../../domain/realtime';
import { createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';

/**
 * Redis pub/sub keeps nothing for a subscriber that is away. When a node's subscriber loses
 * Redis and gets it back, its websockets stayed open and their clients saw nothing wrong,
 * so the node tells each of them `{ type: 'sync.required' }` and the client catches up.
 * This test runs its own redis-server (never the shared one), kills it and restarts it.
 */

let port: number;
let redis: ChildProcess | null = null;
let app: TestApp;
let user: TestUser;
let client: InstanceType<typeof Nes.Client>;
const events: Array<{ type: string; conversationId?: number }> = [];

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const accepts = () =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await until(accepts, 5000, 'redis-server listening');
}

async function killRedis(): Promise<void> {
  const child = redis;
  redis = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  app = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  user = await createUser(app.ctx);
  client = new Nes.Client(`ws://${app.url.slice('http://'.length)}`);
  await client.connect({
    auth: { headers: { authorization: `Bearer ${user.token}` } },
    reconnect: false,
  });
  await client.subscribe(`/users/${user.account.id}`, (event) => {
    events.push(event as { type: string });
  });
});

afterAll(async () => {
  await client?.disconnect();
  if (!redis) await startRedis(); // so that the app's connections close cleanly
  await app?.stop();
  await killRedis();
});

describe('realtime after a Redis outage', () => {
  it('tells connected clients to catch up once the subscription is back', async () => {
    // Live events flow, and a normal start asks for no catch-up.
    await publishEvent(app.ctx, [user.account.id], {
      type: 'typing',
      conversationId: 1,
      reader: { accountId: 1, firstName: 'A', lastName: 'B' },
    });
    await until(() => events.some((e) => e.conversationId === 1), 3000, 'first event');
    expect(events.filter((e) => e.type === 'sync.required')).toEqual([]);

    await killRedis();
    await startRedis();
    await until(() => events.some((e) => e.type === 'sync.required'), 10_000, 'sync.required');
    expect(events.find((e) => e.type === 'sync.required')).toEqual({ type: 'sync.required' });

    // The websocket stayed up and live events flow again.
    await publishEvent(app.ctx, [user.account.id], {
      type: 'typing',
      conversationId: 2,
      reader: { accountId: 1, firstName: 'A', lastName: 'B' },
    });
    await until(() => events.some((e) => e.conversationId === 2), 5000, 'event after outage');
  });
});
