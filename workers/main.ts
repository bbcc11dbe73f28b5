import { closeAttachments } from '../domain/attachments';
import { loadConfig } from '../domain/config';
import { closeContext, createContext } from '../domain/context';
import { exitWithBootError, onShutdown } from '../domain/lifecycle';
import { checkServices } from '../domain/preflight';
import { startWorkers } from './index';

/** Production entry point: every BullMQ worker, no HTTP (`npm run start:workers`). */
try {
  const config = loadConfig();
  await checkServices(config);
  const ctx = createContext(config);
  const workers = await startWorkers(ctx);
  ctx.logger.info({ queues: workers.workers.map((w) => w.name) }, 'workers started');
  onShutdown(ctx.logger, config.shutdownTimeoutMs, [
    ['workers', () => workers.close()],
    // The upload queue and the storage client (S3 keeps sockets open).
    ['attachments', () => closeAttachments(ctx)],
    ['connections', () => closeContext(ctx)],
  ]);
} catch (err) {
  exitWithBootError(err);
}
