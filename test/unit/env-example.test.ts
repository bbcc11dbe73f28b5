import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
    const source = readFileSync('domain/config.ts', 'utf8');
    const read = [...source.matchAll(/^ {2}([A-Z][A-Z_]+): Joi/gm)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(10);
    for (const name of read) expect(Object.keys(entries)).toContain(name);
  });
});
