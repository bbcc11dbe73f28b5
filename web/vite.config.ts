import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Builds, into web/dist:
 *   relais.es.js  an ES module for bundlers (lit kept inside: one copy, no peer to align);
 *   relais.js     one self-contained script for a <script> tag (IIFE, defines every element);
 *   index.html    the standalone page (sign-in + <relais-app>) the server serves at /.
 * The build fails if relais.js is over its gzipped size budget.
 */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The budget of relais.js, gzipped, in bytes (issue 5: ≤ 60 kB). */
export const SIZE_BUDGET_GZIP = 60_000;

function standalonePage(): Plugin {
  return {
    name: 'relais-standalone-page',
    apply: 'build',
    generateBundle(options) {
      if (options.format !== 'iife') return;
      this.emitFile({
        type: 'asset',
        fileName: 'index.html',
        source: readFileSync(here('./index.html'), 'utf8'),
      });
    },
  };
}

function sizeBudget(budget: number): Plugin {
  return {
    name: 'relais-size-budget',
    apply: 'build',
    generateBundle(options, bundle) {
      if (options.format !== 'iife') return;
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const gzipped = gzipSync(file.code, { level: 9 }).length;
        const line = `${file.fileName}: ${(gzipped / 1000).toFixed(1)} kB gzipped (budget ${budget / 1000} kB)`;
        if (gzipped > budget) this.error(`Size budget exceeded: ${line}`);
        this.info(line);
      }
    },
  };
}

export default defineConfig({
  root: here('.'),
  publicDir: false,
  plugins: [standalonePage(), sizeBudget(SIZE_BUDGET_GZIP)],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2021',
    sourcemap: true,
    reportCompressedSize: false,
    lib: {
      entry: here('./src/index.ts'),
      name: 'Relais',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'relais.es.js' : 'relais.js'),
    },
  },
});
