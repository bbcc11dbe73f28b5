import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The one-command start, run for real against services that are not there: it must stop
// at once with one clear message, never a stack trace.
function start(env: Record<string, string>) {
  const res = spawnSync('node_modules/.bin/tsx', ['scripts/start.ts'], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30000,
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

describe('npm start when a service is missing', () => {
  it('names PostgreSQL, the URL it tried and how to start it', () => {
    const { status, output } = start({
      DATABASE_URL: 'postgres://relais:s3cret@127.0.0.1:1/relais',
    });
    expect(status).toBe(1);
    expect(output).toMatch(
      /PostgreSQL is not reachable at postgres:\/\/relais:\*\*\*@127\.0\.0\.1:1\/relais/,
    );
    expect(output).toMatch(/docker compose up -d postgres redis/);
    expect(output).not.toMatch(/s3cret/);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('names Redis, the URL it tried and how to start it', () => {
    const { status, output } = start({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(status).toBe(1);
    expect(output).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
    expect(output).toMatch(/redis-server|docker compose up -d postgres redis/);
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('names a wrong setting before trying anything', () => {
    const { status, output } = start({ PORT: 'abc' });
    expect(status).toBe(1);
    expect(output).toMatch(/Invalid configuration/);
    expect(output).toMatch(/PORT/);
  });
});
