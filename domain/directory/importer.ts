import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Variant } from './format';
import { mergeStaging } from './merge';
import { ExtractFormatError, parseHeader } from './parser';
import { type Malformed, STAGING_COLUMNS, STAGING_DDL, StagingWriter } from './staging';

/**
 * Imports a "PS_LibreAcces_Personne_activite" extract in two stages:
 *  1. stream the file (constant memory) through COPY into an unlogged staging table,
 *     which no search reads;
 *  2. one transaction merges it into structures, professionals and activities (upserts by
 *     national id / structure key, so ids stay stable and nothing that references them
 *     breaks), flags those gone, rebuilds the search table beside the live one and swaps
 *     it in. Searches see the old directory until COMMIT, then the new one.
 * A file whose header is not an extract's is refused before anything is written.
 */
export type ImportPhase = 'load' | 'ids' | 'merge' | 'commit';

export interface ImportProgress {
  phase: ImportPhase;
  bytesRead: number;
  totalBytes: number;
  lines: number;
  malformed: number;
}

export interface ImportOptions {
  onProgress?: (p: ImportProgress) => void;
  /** Accept an extract with less than half the activities of the current directory. */
  allowShrink?: boolean;
}

export interface ImportReport {
  importId: number;
  file: string;
  columns: Variant;
  lines: number;
  activities: number;
  malformed: number;
  /** The first 20 malformed lines (line 1 is the header). */
  malformedLines: Malformed[];
  professionals: number;
  professionalsAdded: number;
  professionalsUpdated: number;
  professionalsRemoved: number;
  structures: number;
  structuresAdded: number;
  structuresUpdated: number;
  structuresRemoved: number;
  durationMs: number;
  /** Milliseconds per step: load, then the merge's steps (some run in parallel). */
  steps: Record<string, number>;
}

export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

const LOCK_KEY = 7_342_001; // pg advisory lock: one import at a time per database

/** Reads the first line without touching the database; throws ExtractFormatError. */
export async function readHeader(filePath: string): Promise<Variant> {
  const fh = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    if (bytesRead === 0) throw new ExtractFormatError('empty file');
    if (nl < 0 && bytesRead === buf.length) throw new ExtractFormatError('no header line');
    return parseHeader(nl < 0 ? text : text.slice(0, nl));
  } finally {
    await fh.close();
  }
}

export async function importExtract(
  db: Knex,
  filePath: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const variant = await readHeader(filePath);
  const totalBytes = (await stat(filePath)).size;
  const client = (await db.client.acquireConnection()) as pg.Client;
  let second: pg.Client | undefined;
  let locked = false;
  try {
    const lock = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY]);
    locked = lock.rows[0].ok;
    if (!locked) throw new ImportRefusedError('another directory import is running');

    const writer = new StagingWriter(variant);
    const progress = (phase: ImportPhase, bytesRead: number) =>
      options.onProgress?.({
        phase,
        bytesRead,
        totalBytes,
        lines: writer.lines,
        malformed: writer.malformedCount,
      });

    await client.query('DROP TABLE IF EXISTS directory_staging');
    await client.query(STAGING_DDL);
    const stream = createReadStream(filePath, { encoding: 'utf8', highWaterMark: 1 << 20 });
    async function* rows(): AsyncGenerator<string> {
      let rest = '';
      let lineNo = 0;
      for await (const chunk of stream as AsyncIterable<string>) {
        const text = rest + chunk;
        let out = '';
        let start = 0;
        let nl = text.indexOf('\n', start);
        while (nl !== -1) {
          lineNo++;
          if (lineNo > 1) out += writer.row(text.slice(start, nl), lineNo);
          start = nl + 1;
          nl = text.indexOf('\n', start);
        }
        rest = text.slice(start);
        progress('load', stream.bytesRead);
        if (out) yield out;
      }
      if (rest) {
        lineNo++;
        if (lineNo > 1) {
          const last = writer.row(rest, lineNo);
          if (last) yield last;
        }
      }
    }
    await pipeline(
      Readable.from(rows()),
      client.query(
        copyFrom(`COPY directory_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`),
      ) as unknown as NodeJS.WritableStream,
    );
    progress('load', totalBytes);

    if (writer.activities === 0) {
      throw new ImportRefusedError('the extract has no valid line: nothing imported');
    }
    if (!options.allowShrink) {
      const { rows: current } = await client.query('SELECT count(*)::int AS n FROM activities');
      if (writer.activities < current[0].n / 2) {
        throw new ImportRefusedError(
          `the extract has ${writer.activities} activities, less than half of the current ${current[0].n}: refused (use --allow-shrink to force)`,
        );
      }
    }

    const loadMs = Date.now() - started;
    // The search table is built on a second connection while the first merges (merge.ts).
    second = (await db.client.acquireConnection()) as pg.Client;
    const { steps, ...merged } = await mergeStaging(client, second, (phase) =>
      progress(phase, totalBytes),
    );
    const { rows: logged } = await client.query(
      `INSERT INTO directory_imports (file_name, columns, lines, malformed, professionals, structures,
         activities, professionals_removed, structures_removed, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0), now()) RETURNING id`,
      [
        basename(filePath),
        variant,
        writer.lines,
        writer.malformedCount,
        merged.professionals,
        merged.structures,
        writer.activities,
        merged.professionalsRemoved,
        merged.structuresRemoved,
        started,
      ],
    );
    await client.query('DROP TABLE IF EXISTS directory_staging');
    return {
      importId: logged[0].id,
      file: filePath,
      columns: variant,
      lines: writer.lines,
      activities: writer.activities,
      malformed: writer.malformedCount,
      malformedLines: writer.malformed,
      ...merged,
      durationMs: Date.now() - started,
      steps: { load: loadMs, ...steps },
    };
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    db.client.releaseConnection(client);
    if (second) db.client.releaseConnection(second);
  }
}
