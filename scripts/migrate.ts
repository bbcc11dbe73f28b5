import { loadConfig } from '../domain/config';
import { createDb, ensureDatabase, migrate } from '../domain/db';
import { exitWithBootError } from '../domain/lifecycle';
import { checkPostgres } from '../domain/preflight';

/** `npm run migrate`: creates the database if missing and applies pending migrations. */
try {
  const config = loadConfig();
  await checkPostgres(config.databaseUrl);
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  const applied = await migrate(db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database already up to date.');
  await db.destroy();
} catch (err) {
  exitWithBootError(err);
}
