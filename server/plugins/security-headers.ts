import Boom from '@hapi/boom';
import type { Plugin, Request } from '@hapi/hapi';

export interface SecurityHeadersOptions {
  /** Where users reach Relais; an https:// URL turns on Strict-Transport-Security. */
  publicUrl: string;
}

export const HSTS = 'max-age=31536000; includeSubDomains';

/** Paths whose URL holds a credential (invitation and unsubscribe tokens). */
const TOKEN_IN_URL = /^\/(join|unsubscribe)\//;

/**
 * The headers every response carries, errors and 404s included (issue 10, finding 8),
 * set in onPreResponse, the one hook every response passes through:
 * - `X-Content-Type-Options: nosniff`: a JSON body holding a user's text is never
 *   sniffed into HTML or script;
 * - `Cache-Control: no-store`: responses hold patient data and must not stay in a shared
 *   ward PC's cache or a proxy. A handler that sets its own Cache-Control keeps it: the
 *   static files of server/plugins/web.ts revalidate with `no-cache` and an ETag;
 * - `Referrer-Policy: no-referrer` where the URL holds a token, so that a link followed
 *   from the join page does not hand the token to another site;
 * - `Strict-Transport-Security` when PUBLIC_URL is https: that is what says users reach
 *   this server over TLS (in production, through the TLS-terminating proxy), whatever
 *   NODE_ENV says; over plain http browsers ignore the header anyway.
 */
export const securityHeadersPlugin: Plugin<SecurityHeadersOptions> = {
  name: 'relais-security-headers',
  register(server, options) {
    const hsts = new URL(options.publicUrl).protocol === 'https:';
    server.ext('onPreResponse', (request, h) => {
      const set = headerSetter(request);
      if (!set) return h.continue;
      set('x-content-type-options', 'nosniff', true);
      set('cache-control', 'no-store', Boom.isBoom(request.response));
      if (TOKEN_IN_URL.test(request.path)) set('referrer-policy', 'no-referrer', true);
      if (hsts) set('strict-transport-security', HSTS, true);
      return h.continue;
    });
  },
};

type Setter = (name: string, value: string, override: boolean) => void;

/** Sets a header on a normal response or a Boom error alike. */
function headerSetter(request: Request): Setter | null {
  const response = request.response;
  if (!response) return null;
  if (Boom.isBoom(response)) {
    const headers = response.output.headers as Record<string, string | number | string[]>;
    return (name, value, override) => {
      const existing = Object.keys(headers).find((k) => k.toLowerCase() === name);
      if (existing && !override) return;
      if (existing) delete headers[existing];
      headers[name] = value;
    };
  }
  return (name, value, override) => {
    if (!override && response.headers[name] !== undefined) return;
    response.header(name, value);
  };
}
