import { describe, expect, it } from 'vitest';
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
