import { closeAttachments } from '../domain/attachments';
import { loadConfig } from '../domain/config';
import { closeContext, createContext } from '../domain/context';
import { exitWithBootError, onShutdown } from '../domain/lifecycle';
import { checkServices } from '../domain/preflight';
import { createServer } from './app';

/** Production entry point: the HTTP/websocket server alone (`npm run start:server`). */
try {
  const config = loadConfig();
  await checkServices(config);
  const ctx = createContext(config);
  const server = await createServer(ctx);
  await server.start();
  ctx.logger.info({ url: server.info.uri }, 'server started');
  onShutdown(ctx.logger, config.shutdownTimeoutMs, [
    ['http', () => server.stop({ timeout: config.shutdownTimeoutMs })],
    // The upload queue and the storage client (S3 keeps sockets open).
    ['attachments', () => closeAttachments(ctx)],
    ['connections', () => closeContext(ctx)],
  ]);
} catch (err) {
  exitWithBootError(err);
}
