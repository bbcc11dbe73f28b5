import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEV_FILES_URL_SECRET } from '../../domain/attachments/config';
import { loadConfig } from '../../domain/config';

// The documented example must be a configuration that boots, and document every
// variable the code reads.
const entries = Object.fromEntries(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('.env.example', () => {
  it('is a valid configuration as written', () => {
    expect(() => loadConfig(entries)).not.toThrow();
  });

  it('documents every variable the configuration reads', () => {
    // domain/config.ts and the settings it merges (attachments).
    for (const file of ['domain/config.ts', 'domain/attachments/config.ts']) {
      const source = readFileSync(file, 'utf8');
      const read = [...source.matchAll(/^ {2}([A-Z][A-Z_]+): Joi/gm)].map((m) => m[1]);
      expect(read.length).toBeGreaterThan(10);
      for (const name of read) expect(Object.keys(entries)).toContain(name);
    }
  });

  it('gives the defaults for attachments, with the development URL key', () => {
    const { attachments } = loadConfig(entries);
    expect(attachments.storage).toEqual({ kind: 'fs', dir: 'var/attachments' });
    expect(attachments.maxBytes).toBe(25 * 1024 * 1024);
    expect(attachments.urlSecret).toBe(DEV_FILES_URL_SECRET);
    // Copied as is into a production environment, it is refused.
    expect(() =>
      loadConfig({
        ...entries,
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://relais.example',
        CLAMAV_URL: 'tcp://clamav:3310',
      }),
    ).toThrow(/FILES_URL_SECRET is required in production/);
  });
});
