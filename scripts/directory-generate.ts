/**
 * npm run directory:generate -- --lines N [--seed S] [--columns 52|56] [--bom] [--crlf]
 *   [--trailing-pipe] <out.txt>
 * Writes a synthetic PS_LibreAcces_Personne_activite extract (see domain/directory/generator.ts).
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateExtract } from '../domain/directory';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lines: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    columns: { type: 'string', default: '56' },
    bom: { type: 'boolean', default: false },
    crlf: { type: 'boolean', default: false },
    'trailing-pipe': { type: 'boolean', default: false },
  },
});
const out = positionals[0];
const lines = Number(values.lines);
const columns = Number(values.columns);
if (!out || !Number.isInteger(lines) || lines < 1 || (columns !== 52 && columns !== 56)) {
  console.error(
    'usage: npm run directory:generate -- --lines N [--seed S] [--columns 52|56] [--bom] [--crlf] [--trailing-pipe] <out.txt>',
  );
  process.exit(2);
}
const started = Date.now();
const report = await generateExtract(
  {
    lines,
    seed: Number(values.seed),
    columns,
    bom: values.bom,
    crlf: values.crlf,
    trailingPipe: values['trailing-pipe'],
  },
  createWriteStream(out),
);
console.error(
  `${out}: ${report.lines} lines, ${report.professionals} professionals in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
