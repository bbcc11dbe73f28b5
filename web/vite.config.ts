import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, defineConfig, type LogLevel, type Plugin } from 'vite';

/**
 * Builds, into web/dist:
 *   relais.es.js        an ES module for bundlers (lit kept inside: one copy, no peer to
 *                       align), with its chunk relais-extra.es.js brought in by import();
 *   relais.js           one self-contained script for a <script> tag (IIFE): every element
 *                       but the screens of relais-extra;
 *   relais-extra.js     the screens only some users open, and only sometimes
 *                       (Administration, "Mon identité": web/src/extra/extra.ts), a second
 *                       IIFE that relais.js loads the first time one is needed. It bundles
 *                       only its own modules: what it shares with relais.js (lit, the
 *                       session, the theme…) it takes from relais.js (`__relaisCore`);
 *   index.html          the standalone page (sign-in + <relais-app>) the server serves at /.
 * The build fails if relais.js or relais-extra.js is over its gzipped size budget.
 *
 * Order: the ES build (this config) comes first and tells which modules belong to the
 * extra (its dynamic chunk) and which to the core (the rest); then relais-extra.js is
 * built with every core module external; then relais.js, exposing exactly those modules.
 */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The budget of relais.js, gzipped, in bytes (issue 5: ≤ 60 kB). */
export const SIZE_BUDGET_GZIP = 60_000;
/** The budget of relais-extra.js, gzipped, in bytes. */
export const EXTRA_SIZE_BUDGET_GZIP = 40_000;

const SRC = here('./src');
const ENTRY = here('./src/index.ts');
const EXTRA_ENTRY = here('./src/extra/extra.ts');
const LOAD = here('./src/extra/load.ts');
const LOAD_SCRIPT = here('./src/extra/load-script.ts');
const CORE = here('./src/extra/core.ts');
const CORE_PREFIX = 'relais-core:';
const TARGET = 'es2021';

function gzipped(code: string): number {
  return gzipSync(code, { level: 9 }).length;
}

function sizeLine(file: string, size: number, budget: number): string {
  return `${file}: ${(size / 1000).toFixed(1)} kB gzipped (budget ${budget / 1000} kB)`;
}

/** A short stable name for a core module: its path in web/src, or in its package. */
function coreKey(id: string): string {
  const path = id.split('?')[0]!;
  if (path.startsWith(`${SRC}/`)) return relative(SRC, path);
  const inPackage = path.lastIndexOf('/node_modules/');
  return inPackage >= 0
    ? path.slice(inPackage + '/node_modules/'.length)
    : relative(here('..'), path);
}

function standalonePage(): Plugin {
  return {
    name: 'relais-standalone-page',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'index.html',
        source: readFileSync(here('./index.html'), 'utf8'),
      });
    },
  };
}

/** relais-extra.js: every module of the core is taken from `__relaisCore[name]`. */
function externalCore(core: Set<string>, used: Map<string, string>): Plugin {
  return {
    name: 'relais-external-core',
    resolveId: {
      order: 'pre',
      async handler(source, importer, options) {
        if (!importer || source.startsWith(CORE_PREFIX)) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        if (!resolved || resolved.external || !core.has(resolved.id)) return resolved;
        const key = coreKey(resolved.id);
        used.set(key, resolved.id);
        return { id: `${CORE_PREFIX}${key}`, external: true };
      },
    },
  };
}

/**
 * relais.js: its loader of relais-extra is ./load-script.ts (a <script>) instead of
 * ./load.ts (import()), and ./core.ts lists the modules relais-extra.js takes from it.
 */
function coreForExtra(used: Map<string, string>, version: string): Plugin {
  return {
    name: 'relais-core-for-extra',
    resolveId: {
      order: 'pre',
      async handler(source, importer, options) {
        if (!importer || !/(^|\/)load(\.ts)?$/.test(source)) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved?.id === LOAD ? LOAD_SCRIPT : null;
      },
    },
    load(id) {
      if (id !== CORE) return null;
      const entries = [...used];
      return [
        ...entries.map(([, path], i) => `import * as m${i} from ${JSON.stringify(path)};`),
        // Getters: read when relais-extra.js runs, after every module of relais.js has (a
        // module of an import cycle may not have its namespace yet when this one runs).
        `export default { ${entries.map(([key], i) => `get ${JSON.stringify(key)}() { return m${i}; }`).join(', ')} };`,
        `export const extraVersion = ${JSON.stringify(version)};`,
      ].join('\n');
    },
  };
}

/** After the ES build: relais-extra.js, then relais.js (see the top of this file). */
function scripts(): Plugin {
  let logLevel: LogLevel | undefined;
  let outDir = here('./dist');
  /** Modules of the ES build outside the extra's chunk: the core. */
  const core = new Set<string>();
  return {
    name: 'relais-scripts',
    apply: 'build',
    configResolved(config) {
      logLevel = config.logLevel;
      outDir = config.build.outDir;
    },
    generateBundle(_options, bundle) {
      core.clear();
      let extra = false;
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        if (file.facadeModuleId === EXTRA_ENTRY) extra = true;
        else for (const id of file.moduleIds) core.add(id);
      }
      if (!extra) this.error('relais-extra is missing from the ES build (web/src/extra/extra.ts)');
    },
    async closeBundle() {
      const used = new Map<string, string>();
      const built = await build({
        configFile: false,
        root: here('.'),
        publicDir: false,
        logLevel,
        plugins: [externalCore(core, used)],
        build: {
          write: false,
          target: TARGET,
          sourcemap: true,
          reportCompressedSize: false,
          lib: {
            entry: EXTRA_ENTRY,
            name: 'RelaisExtra',
            formats: ['iife'],
            fileName: () => 'relais-extra.js',
          },
          rollupOptions: {
            output: {
              globals: (id: string) =>
                `__relaisCore[${JSON.stringify(id.slice(CORE_PREFIX.length))}]`,
            },
          },
        },
      });
      const outputs = (Array.isArray(built) ? built : [built]) as Array<{
        output: Array<{ type: string; fileName: string; code?: string; map?: unknown }>;
      }>;
      const chunk = outputs[0]?.output.find((o) => o.type === 'chunk');
      if (!chunk?.code) throw new Error('relais-extra.js was not built');
      const extraCode = chunk.code.includes('//# sourceMappingURL=')
        ? chunk.code
        : `${chunk.code}\n//# sourceMappingURL=relais-extra.js.map\n`;
      const extraSize = gzipped(extraCode);
      const extraLine = sizeLine('relais-extra.js', extraSize, EXTRA_SIZE_BUDGET_GZIP);
      if (extraSize > EXTRA_SIZE_BUDGET_GZIP) throw new Error(`Size budget exceeded: ${extraLine}`);
      const version = createHash('sha256').update(extraCode).digest('hex').slice(0, 12);
      const extraFiles: Plugin = {
        name: 'relais-extra-files',
        generateBundle(_options, bundle) {
          for (const file of Object.values(bundle)) {
            if (file.type !== 'chunk') continue;
            const size = gzipped(file.code);
            const line = sizeLine(file.fileName, size, SIZE_BUDGET_GZIP);
            if (size > SIZE_BUDGET_GZIP) this.error(`Size budget exceeded: ${line}`);
            this.info(line);
          }
          this.info(extraLine);
          this.emitFile({ type: 'asset', fileName: 'relais-extra.js', source: extraCode });
          if (chunk.map) {
            this.emitFile({
              type: 'asset',
              fileName: 'relais-extra.js.map',
              source: String(chunk.map),
            });
          }
        },
      };
      await build({
        configFile: false,
        root: here('.'),
        publicDir: false,
        logLevel,
        plugins: [coreForExtra(used, version), standalonePage(), extraFiles],
        build: {
          outDir,
          emptyOutDir: false,
          target: TARGET,
          sourcemap: true,
          reportCompressedSize: false,
          lib: {
            entry: ENTRY,
            name: 'Relais',
            formats: ['iife'],
            fileName: () => 'relais.js',
          },
        },
      });
    },
  };
}

export default defineConfig({
  root: here('.'),
  publicDir: false,
  plugins: [scripts()],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: TARGET,
    sourcemap: true,
    reportCompressedSize: false,
    lib: {
      entry: ENTRY,
      name: 'Relais',
      formats: ['es'],
      fileName: () => 'relais.es.js',
    },
    rollupOptions: {
      // What relais.es.js and its chunk share stays in relais.es.js (no third file).
      preserveEntrySignatures: 'allow-extension',
      output: { chunkFileNames: 'relais-[name].es.js' },
    },
  },
});
