import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../domain/config';

// No Docker engine runs here, so the file is checked as data: it parses, names the
// services the deployment needs, and what it passes to the app is a valid configuration.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const services = compose.services as Record<string, Record<string, unknown>>;

/** Resolves `${VAR}`, `${VAR:-default}` and `${VAR:?error}` the way Compose does. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_, name, op, arg) => {
    const set = env[name];
    if (op?.endsWith('?') && !set) throw new Error(`required variable ${name}: ${arg}`);
    return set || (op?.endsWith('-') ? arg : '') || '';
  });
}

/** A service's environment as its container gets it, given the shell's/.env variables. */
function environment(name: string, env: Record<string, string> = {}): Record<string, string> {
  const raw = (services[name]!.environment ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]));
}

/** What an operator must set in .env (nothing else is needed to boot). */
const operatorEnv = { FILES_URL_SECRET: 'x'.repeat(43) };

describe('docker-compose.yml', () => {
  it('names postgres, redis, mailpit, minio, clamav, the server and the workers', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'redis',
        'mailpit',
        'minio',
        'createbucket',
        'clamav',
        'server',
        'workers',
      ]),
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
      const config = loadConfig(environment(name, operatorEnv));
      expect(config.env).toBe('production');
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(new URL(config.databaseUrl).hostname).toBe('postgres');
      expect(config.attachments.storage).toMatchObject({
        kind: 's3',
        endpoint: 'http://minio:9000',
        bucket: 'relais-files',
        forcePathStyle: true,
      });
      expect(config.attachments.clamavUrl).toBe('tcp://clamav:3310');
      expect(config.attachments.urlSecret).toBe(operatorEnv.FILES_URL_SECRET);
    }
  });

  it('has no built-in file URL key: without FILES_URL_SECRET the app stops, naming it', () => {
    for (const name of ['server', 'workers']) {
      expect(() => loadConfig(environment(name))).toThrow(/FILES_URL_SECRET/);
    }
  });

  it('runs MinIO and ClamAV with healthchecks and volumes', () => {
    const minio = services.minio!;
    expect(minio.image).toMatch(/^minio\/minio/);
    expect((minio.healthcheck as { test: string[] }).test).toEqual(['CMD', 'mc', 'ready', 'local']);
    expect(minio.volumes).toEqual(['minio-data:/data']);
    const clamav = services.clamav!;
    expect(clamav.image).toBe('clamav/clamav:stable');
    expect((clamav.healthcheck as { test: string[] }).test).toEqual(['CMD', 'clamdcheck.sh']);
    expect(clamav.volumes).toEqual(['clamav-db:/var/lib/clamav']);
    // Limits above the 200 MB video limit, over-limit files flagged, then the image's init.
    const start = (clamav.entrypoint as string[]).join(' ');
    expect(start).toMatch(/StreamMaxLength 256M/);
    expect(start).toMatch(/AlertExceedsMax yes/);
    expect(start).toMatch(/exec \/init$/);
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['minio-data', 'clamav-db']),
    );
  });

  it('creates the bucket the app uses, with the credentials MinIO has and the app sends', () => {
    const app = environment('server');
    const minio = environment('minio');
    const createbucket = environment('createbucket');
    expect(minio.MINIO_ROOT_USER).toBe(app.S3_ACCESS_KEY_ID);
    expect(minio.MINIO_ROOT_PASSWORD).toBe(app.S3_SECRET_ACCESS_KEY);
    expect(minio.MINIO_ROOT_PASSWORD!.length).toBeGreaterThanOrEqual(8); // MinIO's minimum
    expect(createbucket).toMatchObject({
      S3_BUCKET: app.S3_BUCKET,
      S3_ACCESS_KEY_ID: app.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: app.S3_SECRET_ACCESS_KEY,
    });
    expect(services.createbucket!.image).toMatch(/^minio\/mc/);
    const script = (services.createbucket!.command as string[]).join(' ');
    expect(script).toMatch(/mc mb --ignore-existing "relais\/\$\$S3_BUCKET"/);
    // The same variables drive all three: overriding one in .env changes it everywhere.
    const custom = { S3_BUCKET: 'chu-files', S3_SECRET_ACCESS_KEY: 'another-secret' };
    expect(environment('server', custom).S3_BUCKET).toBe('chu-files');
    expect(environment('createbucket', custom).S3_BUCKET).toBe('chu-files');
    expect(environment('minio', custom).MINIO_ROOT_PASSWORD).toBe('another-secret');
  });

  it('starts the app once the store and its bucket are ready, the workers once clamd is', () => {
    for (const name of ['server', 'workers']) {
      expect(services[name]!.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
        minio: { condition: 'service_healthy' },
        createbucket: { condition: 'service_completed_successfully' },
      });
    }
    expect(services.workers!.depends_on).toMatchObject({
      clamav: { condition: 'service_healthy' },
    });
  });

  it('installs the worker tools (ffmpeg, poppler) in the image', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(
      /apt-get install -y --no-install-recommends[^\n]*\bffmpeg\b[^\n]*\bpoppler-utils\b/,
    );
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
