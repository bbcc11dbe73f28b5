import type { IncomingMessage } from 'node:http';
import type { Plugin } from '@hapi/hapi';
import Nes from '@hapi/nes';

interface RealtimeOptions {
  allowedOrigins: string[];
  maxPayloadBytes: number;
}

/**
 * @hapi/nes, authenticated by the same bearer session as REST ("direct" auth: the client
 * sends the Authorization header in its hello). Browsers always send an Origin on a
 * websocket upgrade, so an Origin outside the allow-list is refused (cross-site websocket
 * hijacking); non-browser clients (bots, the benchmark) send none and rely on the token.
 */
export const realtimePlugin: Plugin<RealtimeOptions> = {
  name: 'relais-realtime',
  dependencies: ['relais-auth'],
  async register(server, options) {
    await server.register({
      plugin: Nes,
      options: {
        auth: { type: 'direct', route: 'session', timeout: 5000 },
        heartbeat: { interval: 15000, timeout: 10000 },
      },
    });
    // nes gives neither an origin rule that admits Origin-less clients nor a payload bound,
    // but its ws server reads both options on every upgrade, so they are set here.
    const wss = (server.plugins as { nes?: { _listener?: { _wss?: { options: WsOptions } } } }).nes
      ?._listener?._wss;
    if (!wss) throw new Error('nes listener not found: check @hapi/nes version');
    wss.options.maxPayload = options.maxPayloadBytes;
    wss.options.verifyClient = ({ origin }: { origin?: string; req: IncomingMessage }) =>
      !origin || options.allowedOrigins.includes(origin);
  },
};

interface WsOptions {
  maxPayload?: number;
  verifyClient?: (info: { origin?: string; req: IncomingMessage }) => boolean;
}
