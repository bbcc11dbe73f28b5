/**
 * A Relais server alone in a child process (test/helpers/server-process.ts starts it), so
 * that a test can SIGKILL it as a crash would: no shutdown hook runs, sockets just drop.
 * Configuration comes from the environment (DATABASE_URL, REDIS_URL, REDIS_PREFIX, PORT).
 */
import { loadConfig } from '../../domain/config';
import { createContext } from '../../domain/context';
import { createServer } from '../../server/app';

const ctx = createContext(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
const server = await createServer(ctx);
await server.start();
process.stdout.write(`READY ${server.info.port}\n`);
