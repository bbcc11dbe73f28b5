import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/**
 * A Knex migration source that imports the migrations through this module, so that they
 * load wherever our TypeScript loads (tsx at run time, Vite in tests) rather than through
 * Knex's own `import()`, which knows nothing of `.ts` files.
 */
interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const NAME = /^\d{14}_[a-z0-9_]+\.ts$/;

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(dir)
      .filter((f) => NAME.test(f))
      .sort();
  },
  getMigrationName(file) {
    // Recorded without the extension so that a compiled build would see the same names.
    return file.replace(/\.ts$/, '');
  },
  async getMigration(file) {
    const url = pathToFileURL(join(dir, file)).href;
    return (await import(/* @vite-ignore */ url)) as MigrationModule;
  },
};
