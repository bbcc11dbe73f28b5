import type { ServerRoute } from '@hapi/hapi';
import { storageOf } from '../../../domain/attachments';
import { within } from '../../../domain/within';
import { ctxOf } from '../../types';

/** Liveness: the process answers. Load balancers and docker-compose health checks use it. */
export const healthRoute: ServerRoute = {
  method: 'GET',
  path: '/health',
  options: { auth: false, tags: ['api'], description: 'Liveness' },
  handler: () => ({ status: 'ok' }),
};

async function timed(check: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  try {
    await within(check(), timeoutMs, 'it');
    return 'ok';
  } catch (err) {
    return `down: ${(err as Error).message}`;
  }
}

/**
 * Readiness: PostgreSQL and Redis answer. 503 otherwise, naming which. File storage is
 * reported too, but does not make the node unready: messages still flow without it, and
 * uploads answer 503 on their own.
 */
export const readyRoute: ServerRoute = {
  method: 'GET',
  path: '/ready',
  options: { auth: false, tags: ['api'], description: 'Readiness (PostgreSQL and Redis)' },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const [postgres, redis, files] = await Promise.all([
      timed(() => ctx.db.raw('SELECT 1'), 2000),
      timed(() => ctx.redis.ping(), 2000),
      timed(async () => (await storageOf(ctx)).check(), 2000),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    return h
      .response({ status: ready ? 'ready' : 'unavailable', postgres, redis, files })
      .code(ready ? 200 : 503);
  },
};
