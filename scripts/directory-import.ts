/**
 * npm run directory:import -- [--allow-shrink] [--finess etalab-cs1100507-stock-….csv]
 *   [<PS_LibreAcces_Personne_activite_….txt>]
 * Imports the national extract into DATABASE_URL (see domain/directory/importer.ts), then
 * optionally enriches structures from the FINESS establishment file (finess.ts).
 * Progress goes to stderr: a bar on a terminal, a line every 5 s otherwise (CI, logs).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../domain/config';
import { createDb } from '../domain/db';
import {
  ExtractFormatError,
  enrichFromFiness,
  type ImportProgress,
  ImportRefusedError,
  importExtract,
} from '../domain/directory';
import { progressPrinter } from '../domain/directory/progress';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'allow-shrink': { type: 'boolean', default: false },
    finess: { type: 'string' },
  },
});
const file = positionals[0];
if (!file && !values.finess) {
  console.error(
    'usage: npm run directory:import -- [--allow-shrink] [--finess etalab.csv] [<extract.txt>]',
  );
  process.exit(2);
}

const config = loadConfig();
const db = createDb(config.databaseUrl, { min: 0, max: 2 });
const progress = progressPrinter(process.stderr);
try {
  if (file) await importFile(file);
  if (values.finess) {
    const finess = await enrichFromFiness(db, values.finess);
    console.error(
      `FINESS ${values.finess}: ${finess.establishments} establishments, ${finess.structuresUpdated} structures enriched, ${finess.malformed} malformed lines`,
    );
  }
} catch (err) {
  progress.done();
  if (err instanceof ExtractFormatError || err instanceof ImportRefusedError) {
    console.error(`Import refused: ${err.message}`);
    process.exitCode = 1;
  } else {
    throw err;
  }
} finally {
  await db.destroy();
}

async function importFile(file: string) {
  const report = await importExtract(db, file, {
    allowShrink: values['allow-shrink'],
    onProgress: (p: ImportProgress) => progress.update(p),
  });
  progress.done();
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.error(
    [
      `Imported ${report.file} (${report.columns} columns) in ${s(report.durationMs)}`,
      `  lines: ${report.lines}, activities: ${report.activities}, malformed: ${report.malformed}`,
      `  professionals: ${report.professionals} (+${report.professionalsAdded} new, ${report.professionalsUpdated} updated, ${report.professionalsRemoved} no longer in the directory)`,
      `  structures: ${report.structures} (+${report.structuresAdded} new, ${report.structuresUpdated} updated, ${report.structuresRemoved} no longer in the directory)`,
      ...report.malformedLines.map((m) => `  malformed line ${m.line}: ${m.reason}`),
      report.malformed > report.malformedLines.length
        ? `  … and ${report.malformed - report.malformedLines.length} more malformed lines`
        : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}
