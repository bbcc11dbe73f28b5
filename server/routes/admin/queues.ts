import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HapiAdapter } from '@bull-board/hapi';
import Boom from '@hapi/boom';
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import { Queue } from 'bullmq';
import Joi from 'joi';
import { resolveSession, revokeSession, signIn } from '../../../domain/accounts';
import { bullPrefix, type QueueName } from '../../../domain/jobs/queues';
import { bullConnection } from '../../../domain/redis';
import { clientIp } from '../../client-ip';
import { escapeHtml, page } from '../join/html';

/**
 * The queue dashboard (bull-board's Hapi adapter) at /admin/queues, for administrators.
 * The dashboard is a single-page app that calls its own API from the browser, which cannot
 * send our bearer token: an administrator signs in on /admin/queues/login (e-mail and
 * password, the same throttled sign-in as the API) and gets a session cookie restricted to
 * /admin/queues (HttpOnly, SameSite=Strict, Secure over https). Every dashboard route,
 * its API included, checks that cookie's session and the administrator flag.
 *
 * Registered by createServer (server/app.ts), so every server node has it.
 */
const BASE = '/admin/queues';
const COOKIE = 'relais_board';
const QUEUES: QueueName[] = [
  'invitation-email',
  'invitation-sms',
  'invitations',
  'inactivity',
  'maintenance',
  'attachments',
];

function cookieToken(request: Request): string | null {
  const header = request.headers.cookie as string | undefined;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

function cookie(token: string, maxAge: number, secure: boolean): string {
  return `${COOKIE}=${encodeURIComponent(token)}; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

async function requireBoardAdmin(request: Request, h: ResponseToolkit) {
  const { ctx } = request.server.app;
  const token = cookieToken(request);
  const resolved = token ? await resolveSession(ctx, token) : null;
  if (resolved?.account.is_admin) return h.continue;
  if (request.method === 'get' && !request.path.startsWith(`${BASE}/api/`)) {
    return h.redirect(`${BASE}/login`).takeover();
  }
  throw resolved
    ? Boom.forbidden('Administrators only')
    : Boom.unauthorized('Sign in on /admin/queues/login');
}

function loginPage(h: ResponseToolkit, error?: string, status = 200) {
  return page(h, {
    lang: 'en',
    title: 'Queues',
    status,
    body: `<h1>Queue dashboard</h1><p class="muted">Administrators only.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${BASE}/login">
<label for="email">E-mail</label><input id="email" name="email" type="email" required autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Sign in</button></form>`,
  });
}

export const queueDashboardPlugin: Plugin<unknown> = {
  name: 'relais-queue-dashboard',
  async register(server) {
    const { ctx } = server.app;
    const queues = QUEUES.map(
      (name) =>
        new Queue(name, {
          connection: bullConnection(ctx.config.redisUrl),
          prefix: bullPrefix(ctx.config),
        }),
    );
    // BullMQ prints an 'error' nobody listens to on stderr, once per reconnection attempt
    // while Redis is away; /ready and the other connections already report the outage.
    for (const queue of queues) {
      queue.on('error', (err) =>
        ctx.logger.debug({ err: err.message, queue: queue.name }, 'queue dashboard: Redis error'),
      );
    }
    server.ext('onPostStop', async () => {
      await Promise.allSettled(queues.map((q) => q.close()));
    });
    const adapter = new HapiAdapter();
    adapter.setBasePath(BASE);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q)),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'Relais queues' } },
    });
    const secure = ctx.config.publicUrl.startsWith('https:');

    server.route([
      {
        method: 'GET',
        path: `${BASE}/login`,
        options: { auth: false, plugins: { relais: { public: true } } },
        handler: (_request, h) => loginPage(h),
      },
      {
        method: 'POST',
        path: `${BASE}/login`,
        options: {
          auth: false,
          plugins: { relais: { public: true } },
          validate: {
            payload: Joi.object({
              email: Joi.string().email({ tlds: false }).max(254).required(),
              password: Joi.string().min(1).max(1024).required(),
            }),
            failAction: (_request, h) =>
              loginPage(h, 'E-mail and password are required', 400).takeover(),
          },
        },
        async handler(request, h) {
          const { email, password } = request.payload as { email: string; password: string };
          try {
            const result = await signIn(ctx, email, password, {
              ip: clientIp(request),
              userAgent: request.headers['user-agent'] as string | undefined,
            });
            if (!result.account.is_admin) {
              await revokeSession(ctx, result.session.id);
              return loginPage(h, 'This account is not an administrator', 403);
            }
            return h
              .redirect(`${BASE}`)
              .code(303)
              .header('set-cookie', cookie(result.token, ctx.config.sessionTtlSeconds, secure));
          } catch (err) {
            if (Boom.isBoom(err) && err.output.statusCode < 500) {
              return loginPage(h, err.message, err.output.statusCode);
            }
            throw err;
          }
        },
      },
    ]);

    await server.register(
      {
        plugin: adapter.registerPlugin(),
        options: {
          // Authenticated by the cookie above, not by the bearer strategy.
          auth: false,
          plugins: { relais: { public: true } },
          pre: [{ method: requireBoardAdmin }],
        },
      },
      { routes: { prefix: BASE } },
    );
  },
};
