import { describe, expect, it } from 'vitest';
import { DEV_FILES_URL_SECRET } from '../../domain/attachments/config';
import { ConfigError, DEMO_INTEGRATION_SECRET, loadConfig } from '../../domain/config';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('works out of the box on a developer machine', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/relais');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.integrations).toEqual([{ id: 'demo-intranet', secret: DEMO_INTEGRATION_SECRET }]);
    expect(config.allowedOrigins).toContain('http://localhost:3000');
  });

  it('names every wrong variable at once', () => {
    const found = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(found.join('\n')).toMatch(/PORT/);
    expect(found.join('\n')).toMatch(/DATABASE_URL/);
    expect(found.join('\n')).toMatch(/LOG_LEVEL/);
  });

  it('refuses short integration secrets and malformed origins', () => {
    expect(problems({ EMBED_INTEGRATIONS: 'chu:short' }).join()).toMatch(/EMBED_INTEGRATIONS/);
    expect(problems({ ALLOWED_ORIGINS: 'intranet.example/path' }).join()).toMatch(
      /ALLOWED_ORIGINS/,
    );
  });

  it('refuses the demo secret and a missing public URL in production', () => {
    expect(
      problems({
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://relais.example',
        EMBED_INTEGRATIONS: `demo:${DEMO_INTEGRATION_SECRET}`,
      }).join(),
    ).toMatch(/demo secret/);
    expect(problems({ NODE_ENV: 'production' }).join()).toMatch(/PUBLIC_URL/);
  });

  it('parses integrations and converts units', () => {
    const config = loadConfig({
      EMBED_INTEGRATIONS: `chu-nord:${'a'.repeat(40)},ehpad:${'b'.repeat(32)}`,
      SESSION_TTL_HOURS: '2',
    });
    expect(config.integrations.map((i) => i.id)).toEqual(['chu-nord', 'ehpad']);
    expect(config.sessionTtlSeconds).toBe(7200);
  });
});

describe('attachment settings', () => {
  /** A production configuration that boots; each test takes one thing away. */
  const production = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://relais.example',
    CLAMAV_URL: 'tcp://clamav:3310',
    FILES_URL_SECRET: 'f'.repeat(40),
  };

  it('defaults to the local folder, 25 MB files and 200 MB videos, no antivirus', () => {
    const { attachments } = loadConfig({});
    expect(attachments.storage).toEqual({ kind: 'fs', dir: 'var/attachments' });
    expect(attachments.maxBytes).toBe(25 * 1024 * 1024);
    expect(attachments.videoMaxBytes).toBe(200 * 1024 * 1024);
    expect(attachments.clamavUrl).toBeNull();
    expect(attachments.urlSecret).toBe(DEV_FILES_URL_SECRET);
  });

  it('boots in production with an antivirus and a signing key of its own', () => {
    const { attachments } = loadConfig(production);
    expect(attachments.clamavUrl).toBe('tcp://clamav:3310');
    expect(attachments.urlSecret).toBe('f'.repeat(40));
  });

  it('refuses production without CLAMAV_URL, naming it', () => {
    const { CLAMAV_URL: _, ...rest } = production;
    expect(problems(rest).join()).toMatch(/CLAMAV_URL is required in production/);
    expect(problems({ ...production, CLAMAV_URL: '' }).join()).toMatch(/CLAMAV_URL/);
  });

  it('refuses production without FILES_URL_SECRET or with the development one', () => {
    const { FILES_URL_SECRET: _, ...rest } = production;
    expect(problems(rest).join()).toMatch(/FILES_URL_SECRET is required in production/);
    expect(problems({ ...production, FILES_URL_SECRET: DEV_FILES_URL_SECRET }).join()).toMatch(
      /FILES_URL_SECRET is required in production/,
    );
    expect(problems({ ...production, FILES_URL_SECRET: 'short' }).join()).toMatch(
      /FILES_URL_SECRET/,
    );
  });

  it('accepts clamd over TCP or a Unix socket, and refuses anything else', () => {
    expect(loadConfig({ CLAMAV_URL: 'unix:/run/clamav/clamd.ctl' }).attachments.clamavUrl).toBe(
      'unix:/run/clamav/clamd.ctl',
    );
    for (const bad of ['clamav:3310', 'http://clamav:3310', 'tcp://clamav', '/run/clamd.ctl']) {
      expect(problems({ CLAMAV_URL: bad }).join()).toMatch(
        /CLAMAV_URL.*unix:\/run\/clamav\/clamd\.ctl or tcp:\/\/host:3310/,
      );
    }
  });

  it('takes S3 settings, and refuses S3 without a bucket or keys', () => {
    const s3 = {
      ATTACHMENTS_STORAGE: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'relais-files',
      S3_ACCESS_KEY_ID: 'relais',
      S3_SECRET_ACCESS_KEY: 'a-secret-key',
    };
    expect(loadConfig(s3).attachments.storage).toEqual({
      kind: 's3',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      bucket: 'relais-files',
      accessKeyId: 'relais',
      secretAccessKey: 'a-secret-key',
      forcePathStyle: true,
    });
    const { S3_BUCKET: _, ...noBucket } = s3;
    expect(problems(noBucket).join()).toMatch(/S3_BUCKET is required with ATTACHMENTS_STORAGE=s3/);
    expect(problems({ ...s3, S3_ACCESS_KEY_ID: '' }).join()).toMatch(/S3_ACCESS_KEY_ID/);
    expect(problems({ ...s3, S3_BUCKET: 'Not_A_Bucket' }).join()).toMatch(/S3_BUCKET/);
    expect(problems({ ATTACHMENTS_STORAGE: 'ftp' }).join()).toMatch(/ATTACHMENTS_STORAGE/);
  });

  it('converts sizes given in MB', () => {
    const { attachments } = loadConfig({ ATTACHMENT_MAX_MB: '10', ATTACHMENT_VIDEO_MAX_MB: '0.5' });
    expect(attachments.maxBytes).toBe(10 * 1024 * 1024);
    expect(attachments.videoMaxBytes).toBe(512 * 1024);
  });
});
