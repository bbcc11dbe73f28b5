import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Boom from '@hapi/boom';
import type { Plugin } from '@hapi/hapi';
import Inert from '@hapi/inert';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * The standalone page has no inline script and talks only to this server: a strict CSP
 * makes an injected <script> in any rendered text inert even if escaping ever failed.
 */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * A name that can be a file of the build: short segments of plain characters. Anything
 * else is a 404 without touching the file system, where an 8 KB name used to fail with
 * ENAMETOOLONG and come back as a 500.
 */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}$/;

/**
 * Serves the built web components and the standalone page (sign-in + <relais-app>):
 *   /              web/dist/index.html
 *   /relais.js     the single-file script an intranet includes with one <script> tag
 *   /relais.es.js  the ES module build
 * Public by design: these files hold no data. They are not content-hashed, so browsers
 * revalidate them on each load (ETag) instead of caching a stale version.
 */
export const webPlugin: Plugin<void> = {
  name: 'relais-web',
  async register(server) {
    await server.register(Inert);
    server.route({
      method: 'GET',
      path: '/{path*}',
      options: {
        auth: false,
        // The script is embedded by intranets on other origins.
        cors: { origin: ['*'] },
      },
      handler: (request, h) => {
        if (request.path.startsWith('/api/')) throw Boom.notFound();
        if (!existsSync(WEB_DIST)) {
          return h
            .response('The web components are not built yet: run `npm run build:web`.')
            .type('text/plain')
            .code(503);
        }
        const file = request.params.path ? String(request.params.path) : 'index.html';
        if (!FILE_NAME.test(file)) throw Boom.notFound('No such file');
        const response = h
          .file(file, { confine: WEB_DIST, etagMethod: 'simple' })
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff');
        if (file.endsWith('.html')) response.header('content-security-policy', PAGE_CSP);
        return response;
      },
    });
  },
};
