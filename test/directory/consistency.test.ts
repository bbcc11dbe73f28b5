import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExtract, importExtract, searchDirectory } from '../../domain/directory';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { extractLine, person } from './fixtures/extract';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

/** A generated extract of `lines` lines plus one professional named `name`. */
async function extractWith(name: string, lines: number): Promise<string> {
  const path = join(tmpdir(), `relais-consistency-${name}-${process.pid}.txt`);
  await generateExtract({ lines, seed: 11 }, createWriteStream(path));
  const marker = extractLine(person('810999999999', name, 'TÉMOIN'));
  await writeFile(path, `${await readFile(path, 'utf8')}${marker}\n`);
  return path;
}

describe('searching during an import', () => {
  it('finds a professional under the old or the new name throughout, never neither', async () => {
    const viewer = { accountId: 0, inactivityDays: 30 };
    await importExtract(t.db, await extractWith('AVANTIMPORT', 3000));
    const next = await extractWith('APRESIMPORT', 3000);

    let done = false;
    const importing = importExtract(t.db, next).finally(() => {
      done = true;
    });
    let searches = 0;
    while (!done) {
      const before = await searchDirectory(t.db, viewer, { name: 'avantimport' });
      const after = await searchDirectory(t.db, viewer, { name: 'apresimport' });
      // The witness is always findable under one of its names.
      expect(before.items.length + after.items.length).toBeGreaterThanOrEqual(1);
      searches++;
    }
    await importing;
    expect(searches).toBeGreaterThan(0);
    const final = await searchDirectory(t.db, viewer, { name: 'apresimport' });
    expect(final.items).toMatchObject([{ lastName: 'APRESIMPORT', firstName: 'TÉMOIN' }]);
    expect((await searchDirectory(t.db, viewer, { name: 'avantimport' })).items).toEqual([]);
  });
});
