import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Boom from '@hapi/boom';
import type { Plugin } from '@hapi/hapi';
import Inert from '@hapi/inert';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * Serves the built web components (the `<script>` bundle an intranet includes) and the
 * standalone page (sign-in + <relais-app>). Public by design: the page holds no data.
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
        return h.file(file, { confine: WEB_DIST });
      },
    });
  },
};
