import { loadConfig } from '../../domain/config';
import { closeContext, createContext } from '../../domain/context';
import { createServer } from '../../server/app';

/**
 * One Relais server node for the realtime benchmark, in its own process (so that the load
 * generator does not share its event loop). Talks to the parent over IPC: `{port}` once
 * listening; answers `mem` with its memory after a full GC (run with --expose-gc).
 */
const config = loadConfig({
  ...process.env,
  PORT: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const ctx = createContext(config);
const server = await createServer(ctx, { port: 0 });
await server.start();
process.send?.({ type: 'listening', port: server.info.port });

process.on('message', async (msg: { type: string }) => {
  if (msg.type === 'mem') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.send?.({ type: 'mem', usage: process.memoryUsage() });
  } else if (msg.type === 'stop') {
    await server.stop({ timeout: 2000 });
    await closeContext(ctx);
    process.exit(0);
  }
});
