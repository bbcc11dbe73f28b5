import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ExtractFormatError } from './parser';

/**
 * Enriches directory structures from the FINESS establishment file published by etalab
 * (`etalab-cs1100507-stock-YYYYMMDD-HHMM.csv`): ISO-8859-1, `;`, no header but a first
 * line `finess;etalab;<n>;YYYY-MM-DD`; `structureet` lines have 32 fields. Structures are
 * matched on their FINESS site number; they gain their category and legal entity.
 * Streams through COPY like the extract; one UPDATE applies it.
 */
const FIELDS = 32;
const I = { nofinesset: 1, nofinessej: 2, categetab: 18, libcategetab: 19, libcategagretab: 21 };

export interface FinessReport {
  establishments: number;
  structuresUpdated: number;
  malformed: number;
}

function cell(v: string | undefined): string {
  return v ? v.replace(/[\\\t\n\r]/g, ' ') : '\\N';
}

export async function enrichFromFiness(db: Knex, filePath: string): Promise<FinessReport> {
  let establishments = 0;
  let malformed = 0;
  let first = true;
  const stream = createReadStream(filePath, { encoding: 'latin1', highWaterMark: 1 << 20 });
  async function* rows(): AsyncGenerator<string> {
    let rest = '';
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      let out = '';
      for (const line of lines) out += row(line);
      if (out) yield out;
    }
    const last = row(rest);
    if (last) yield last;
  }
  function row(raw: string): string {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line) return '';
    if (first) {
      first = false;
      if (!line.startsWith('finess;etalab;')) {
        throw new ExtractFormatError(
          'not an etalab FINESS file: the first line should be "finess;etalab;…"',
        );
      }
      return '';
    }
    if (!line.startsWith('structureet;')) return ''; // geolocation lines, other record types
    const f = line.split(';');
    if (f.length !== FIELDS || !f[I.nofinesset]) {
      malformed++;
      return '';
    }
    establishments++;
    return `${[
      f[I.nofinesset],
      f[I.nofinessej],
      f[I.categetab],
      f[I.libcategetab],
      f[I.libcategagretab],
    ]
      .map(cell)
      .join('\t')}\n`;
  }

  const client = (await db.client.acquireConnection()) as pg.Client;
  try {
    await client.query(`CREATE TEMP TABLE finess_staging (
      nofinesset text, nofinessej text, categetab text, libcategetab text, libcategagretab text)`);
    await pipeline(
      Readable.from(rows()),
      client.query(copyFrom('COPY finess_staging FROM STDIN')) as unknown as NodeJS.WritableStream,
    );
    const updated = await client.query(`
      UPDATE structures s SET finess_legal = coalesce(f.nofinessej, s.finess_legal),
        category_code = f.categetab, category_label = f.libcategetab,
        category_group_label = f.libcategagretab, finess_updated_at = now()
      FROM (SELECT DISTINCT ON (nofinesset) * FROM finess_staging ORDER BY nofinesset) f
      WHERE s.finess_site = f.nofinesset`);
    return { establishments, structuresUpdated: updated.rowCount ?? 0, malformed };
  } finally {
    await client.query('DROP TABLE IF EXISTS finess_staging').catch(() => {});
    db.client.releaseConnection(client);
  }
}
