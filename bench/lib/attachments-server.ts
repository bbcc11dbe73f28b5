import { closeAttachments } from '../../domain/attachments';
import { loadConfig } from '../../domain/config';
import { closeContext, createContext } from '../../domain/context';
import { createServer } from '../../server/app';
import { startAttachmentWorker } from '../../workers/attachments';

/**
 * The Relais server of the attachments benchmark, alone in its process (so that its RSS is
 * its own), with the attachments worker in the same process as `npm start` runs it.
 * Configuration from the environment. IPC: `{type: 'listening', port}` once started;
 * `stop` closes everything and exits.
 */
const ctx = createContext(loadConfig({ ...process.env, PORT: '0' }));
const server = await createServer(ctx, { port: 0 });
await server.start();
const worker = startAttachmentWorker(ctx);
await worker.waitUntilReady();
process.send?.({ type: 'listening', port: server.info.port });

process.on('message', async (msg: { type: string }) => {
  if (msg.type !== 'stop') return;
  await worker.close();
  await server.stop({ timeout: 2000 });
  await closeAttachments(ctx);
  await closeContext(ctx);
  process.exit(0);
});
