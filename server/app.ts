import Hapi, { type ServerRoute } from '@hapi/hapi';
import Vision from '@hapi/vision';
import HapiPino from 'hapi-pino';
import HapiSwagger from 'hapi-swagger';
import { createFileUrls } from '../domain/attachments';
import type { AppContext } from '../domain/context';
import { authPlugin } from './plugins/auth';
import { botScopesPlugin } from './plugins/bot-scopes';
import { errorsPlugin, validationFailAction } from './plugins/errors';
import { inputGuardPlugin } from './plugins/input-guard';
import { realtimePlugin } from './plugins/realtime';
import { securityHeadersPlugin } from './plugins/security-headers';
import { webPlugin } from './plugins/web';
import { routes } from './routes';
import { queueDashboardPlugin } from './routes/admin/queues';

export interface ServerOptions {
  /** Port to listen on (0 for a random one in tests); defaults to the configured port. */
  port?: number;
  /** More plugins registered after the core (realtime fan-out, admin dashboards…). */
  plugins?: Array<{ plugin: Hapi.Plugin<unknown>; options?: unknown }>;
}

/** Builds the Hapi server over an AppContext; the caller starts and stops it. */
export async function createServer(
  ctx: AppContext,
  options: ServerOptions = {},
): Promise<Hapi.Server> {
  const { config } = ctx;
  const server = Hapi.server({
    host: config.host,
    port: options.port ?? config.port,
    routes: {
      // Retry-After is exposed so that an embedded page can tell how long a 429 lasts.
      cors: {
        origin: config.allowedOrigins,
        maxAge: 600,
        // Resumable uploads (docs/attachments.md) from an intranet on another origin.
        additionalHeaders: ['Upload-Offset'],
        exposedHeaders: ['Retry-After', 'Upload-Offset', 'Upload-Length', 'Location'],
      },
      validate: { failAction: validationFailAction },
      payload: { maxBytes: 1024 * 1024 },
      response: { emptyStatusCode: 204 },
    },
    router: { stripTrailingSlash: true },
  });
  server.app.ctx = ctx;
  server.app.files = createFileUrls({
    secret: ctx.config.attachments.urlSecret,
    ttlSeconds: ctx.config.attachments.urlTtlSeconds,
    // Relative: the web components resolve it against the Relais server they talk to,
    // which is what an intranet embedding them knows (not always PUBLIC_URL).
    publicUrl: '',
    now: () => ctx.now(),
  });

  await server.register({
    plugin: HapiPino,
    options: {
      instance: ctx.logger,
      // Health probes every few seconds would drown the log.
      ignorePaths: ['/health', '/ready'],
      redact: ['req.headers.authorization'],
    },
  });
  await server.register(errorsPlugin);
  // Before any route exists: they guard and label every response, 404s included.
  await server.register(inputGuardPlugin);
  await server.register({
    plugin: securityHeadersPlugin,
    options: { publicUrl: config.publicUrl },
  });
  await server.register(authPlugin);
  await server.register(botScopesPlugin);
  await server.register({
    plugin: realtimePlugin,
    options: { allowedOrigins: config.allowedOrigins, maxPayloadBytes: config.wsMaxPayloadBytes },
  });
  await server.register(Vision);
  await server.register({
    plugin: HapiSwagger,
    options: {
      info: { title: 'Relais API', version: '0.1.0' },
      OAS: 'v3.0',
      documentationPath: '/documentation',
      jsonPath: '/openapi.json',
      securityDefinitions: { bearer: { type: 'apiKey', name: 'Authorization', in: 'header' } },
      security: [{ bearer: [] }],
      grouping: 'tags',
    },
  });
  await server.register(webPlugin);
  await server.register(queueDashboardPlugin);
  for (const extra of options.plugins ?? []) {
    await server.register(extra as Hapi.ServerRegisterPluginObject<unknown>);
  }
  server.route(routes as ServerRoute[]);
  return server;
}
