/**
 * npm run bench:import [-- --file .tmp/rpps-2.4M.txt --lines 2400000 --keep]
 * Imports a generated national-size extract into a fresh relais_bench_* database, twice:
 * a first import (empty directory) and a re-import of the same file (every row compared,
 * nothing changed). Reports durations, lines/s and the peak RSS of this process. With
 * --keep the database is left for `npm run bench:search -- --database <name>`.
 * Prints a table, then one JSON line.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createDb } from '../domain/db';
import { type ImportPhase, importExtract } from '../domain/directory';
import {
  createBenchDatabase,
  dropBenchDatabase,
  ensureExtract,
  rssSampler,
  table,
} from './lib/bench-db';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '.tmp/rpps-2.4M.txt' },
    lines: { type: 'string', default: '2400000' },
    keep: { type: 'boolean', default: false },
    'first-only': { type: 'boolean', default: false },
  },
});
await ensureExtract(values.file, Number(values.lines));
const bench = await createBenchDatabase();
const db = createDb(bench.url, { min: 0, max: 2 });
const runs: Record<string, unknown>[] = [];
try {
  for (const label of values['first-only'] ? ['first import'] : ['first import', 're-import']) {
    const phases: Partial<Record<ImportPhase, number>> = {};
    let phase: ImportPhase | undefined;
    let phaseStart = Date.now();
    const rss = rssSampler();
    const report = await importExtract(db, values.file, {
      onProgress: (p) => {
        if (p.phase !== phase) {
          if (phase) phases[phase] = Date.now() - phaseStart;
          phase = p.phase;
          phaseStart = Date.now();
        }
      },
    });
    if (phase) phases[phase] = Date.now() - phaseStart;
    const peak = rss.stop();
    runs.push({
      label,
      seconds: +(report.durationMs / 1000).toFixed(1),
      linesPerSecond: Math.round(report.lines / (report.durationMs / 1000)),
      peakRssMiB: peak.rss,
      peakHeapMiB: peak.heap,
      lines: report.lines,
      professionals: report.professionals,
      structures: report.structures,
      phasesSeconds: Object.fromEntries(
        Object.entries(phases).map(([k, v]) => [k, +(v / 1000).toFixed(1)]),
      ),
      stepsSeconds: Object.fromEntries(
        Object.entries(report.steps).map(([k, v]) => [k, +(v / 1000).toFixed(1)]),
      ),
    });
    console.error(`${label}: ${(report.durationMs / 1000).toFixed(1)} s`);
  }
  const { rows } = await db.raw(
    `SELECT pg_size_pretty(pg_total_relation_size('directory_search')) AS search,
            pg_size_pretty(pg_database_size(current_database())) AS database`,
  );
  console.log(
    table([
      [
        'run',
        'seconds',
        'lines/s',
        'peak RSS MiB',
        'peak heap MiB',
        'professionals',
        'structures',
        'phases (s)',
      ],
      ...runs.map((r) => [
        String(r.label),
        Number(r.seconds),
        Number(r.linesPerSecond),
        Number(r.peakRssMiB),
        Number(r.peakHeapMiB),
        Number(r.professionals),
        Number(r.structures),
        Object.entries(r.phasesSeconds as object)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ]),
    ]),
  );
  console.log(`search table ${rows[0].search}, database ${rows[0].database}`);
  if (values.keep) console.log(`kept database ${bench.name}`);
  console.log(
    JSON.stringify({
      bench: 'import',
      date: new Date().toISOString(),
      cpus: os.cpus().length,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      file: values.file,
      database: values.keep ? bench.name : undefined,
      runs,
    }),
  );
} finally {
  await db.destroy();
  if (!values.keep) await dropBenchDatabase(bench.name);
}
