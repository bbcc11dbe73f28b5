import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
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

// BENCH_PROFILE=<dir>: a CPU profile of the measured phase only (profile-start/-stop).
const profiler = new Session();

process.on('message', async (msg: { type: string }) => {
  if (msg.type === 'cpu') {
    process.send?.({ type: 'cpu', cpu: process.cpuUsage() });
  } else if (msg.type === 'mem') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.send?.({ type: 'mem', usage: process.memoryUsage(), cpu: process.cpuUsage() });
  } else if (msg.type === 'profile-start' && process.env.BENCH_PROFILE) {
    profiler.connect();
    profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
  } else if (msg.type === 'profile-stop' && process.env.BENCH_PROFILE) {
    profiler.post('Profiler.stop', (_err, result) => {
      writeFileSync(
        `${process.env.BENCH_PROFILE}/server-steady.cpuprofile`,
        JSON.stringify(result.profile),
      );
      process.send?.({ type: 'profiled' });
    });
  } else if (msg.type === 'stop') {
    await server.stop({ timeout: 2000 });
    await closeContext(ctx);
    process.exit(0);
  }
});
