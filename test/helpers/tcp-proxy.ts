import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports';

/**
 * A TCP proxy in front of a server, whose network a test can cut: every open connection
 * is destroyed (both sides see a reset, as when a Wi-Fi drops) and new ones are refused
 * for a while. Clients use `url`; the server is untouched.
 */
export interface TcpProxy {
  url: string;
  /** Destroys every connection and refuses new ones for `refuseMs`. */
  cut(refuseMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer((client) => {
        const upstream = createConnection(target);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined); // a reset is what this proxy is for
        }
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        server = srv;
        resolve();
      });
    });

  const stop = async () => {
    const srv = server;
    server = null;
    const closed = srv ? new Promise((r) => srv.close(r)) : Promise.resolve();
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
    await closed;
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    async cut(refuseMs) {
      await stop();
      await new Promise((r) => setTimeout(r, refuseMs));
      await listen();
    },
    close: stop,
  };
}
