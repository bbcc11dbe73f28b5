import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../domain/config';

// No Docker engine runs here, so the file is checked as data: it parses, names the
// services the deployment needs, and what it passes to the app is a valid configuration.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const services = compose.services as Record<string, Record<string, unknown>>;

/** Resolves `${VAR:-default}` the way Compose does when VAR is unset. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::?-([^}]*))?\}/g,
    (_, name, fallback) => env[name] ?? fallback ?? '',
  );
}

describe('docker-compose.yml', () => {
  it('names postgres, redis, mailpit, the server and the workers', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'mailpit', 'server', 'workers']),
    );
  });

  it('runs Redis with AOF and noeviction, as BullMQ requires', () => {
    const command = (services.redis!.command as string[]).join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });

  it('runs two server replicas and the workers from the one Dockerfile', () => {
    expect((services.server!.deploy as { replicas: number }).replicas).toBe(2);
    expect(services.server!.build).toBe('.');
    expect(services.workers!.build).toBe('.');
    expect(services.server!.command).toEqual(['npm', 'run', 'start:server']);
    expect(services.workers!.command).toEqual(['npm', 'run', 'start:workers']);
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/build:web/);
  });

  it('gives the server and workers a configuration that passes validation', () => {
    for (const name of ['server', 'workers']) {
      const raw = services[name]!.environment as Record<string, string>;
      const env = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), {})]),
      );
      const config = loadConfig(env);
      expect(config.env).toBe('production');
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(new URL(config.databaseUrl).hostname).toBe('postgres');
    }
  });

  it('uses npm scripts that exist', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<
      string,
      string
    >;
    for (const service of Object.values(services)) {
      const command = service.command as string[] | undefined;
      if (command?.[0] === 'npm') expect(scripts).toHaveProperty(command[2]!);
    }
  });
});
