/**
 * One worker process of the invitations benchmark: the real invitation workers, configured
 * from the environment like `npm run start:workers` would be (the parent passes it).
 */
import { loadConfig } from '../../domain/config';
import { createContext } from '../../domain/context';
import { createDb } from '../../domain/db';
import { startInvitationWorkers } from '../../workers/invitations';

const config = loadConfig(process.env);
const pool = Number(process.env.BENCH_DB_POOL ?? 10);
const ctx = createContext(config, { db: createDb(config.databaseUrl, { min: 0, max: pool }) });
const workers = startInvitationWorkers(ctx);
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.send?.('ready');
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await Promise.all(workers.map((w) => w.close()));
  await ctx.redis.quit();
  await ctx.db.destroy();
  process.exit(0);
});
