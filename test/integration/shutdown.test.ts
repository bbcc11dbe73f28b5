import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '../helpers/db';
import { freePort } from '../helpers/ports';

// The production entry points, run as real processes: they start, then stop cleanly on
// SIGTERM (exit 0, "stopped" logged) instead of dying with work in flight.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

function run(entry: string, env: Record<string, string>): { child: ChildProcess; logs: string[] } {
  const child = spawn('node_modules/.bin/tsx', [entry], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      REDIS_PREFIX: testRedisPrefix(),
      ...env,
    },
  });
  const logs: string[] = [];
  child.stdout!.on('data', (d) => logs.push(String(d)));
  child.stderr!.on('data', (d) => logs.push(String(d)));
  return { child, logs };
}

async function waitFor(logs: string[], pattern: RegExp, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pattern.test(logs.join(''))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern}; got:\n${logs.join('')}`);
}

describe('graceful shutdown', () => {
  it('the server stops accepting and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const { child, logs } = run('server/main.ts', { PORT: String(port) });
    await waitFor(logs, /server started/);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(logs.join('')).toMatch(/"msg":"stopped"/);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('the workers finish and exit 0 on SIGTERM', async () => {
    const { child, logs } = run('workers/main.ts', {});
    await waitFor(logs, /workers started/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(logs.join('')).toMatch(/"msg":"stopped"/);
  });
});
