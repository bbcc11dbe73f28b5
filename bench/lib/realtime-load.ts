import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import * as NesModule from '@hapi/nes/lib/client';
import WebSocket from 'ws';

/**
 * The load side of the realtime benchmark: subscribers (official nes client, or bare ws for
 * the floor), a paced sender over HTTP, and a tracker that matches every delivery to its
 * send: latency from just before the HTTP request to the subscriber's handler, lost and
 * duplicated deliveries counted per (subscriber, message).
 */
type NesClient = import('@hapi/nes/lib/client').Client;
const nes = NesModule as unknown as { Client?: unknown; default?: { Client: unknown } };
const Client = (nes.Client ?? nes.default?.Client) as new (url: string) => NesClient;
(Client as unknown as { WebSocket: unknown }).WebSocket = WebSocket;

export class Tracker {
  private pending = new Map<string, { t0: number; expected: Set<number>; got: Set<number> }>();
  latencies: number[] = [];
  sendTimes: number[] = [];
  /** Worst send-to-receive latency per second of sending: shows stalls in a run. */
  worstBySecond: number[] = [];
  private started = performance.now();
  sent = 0;
  httpErrors = 0;
  /** Failed sends by HTTP status or error message. */
  failures: Record<string, number> = {};
  expectedDeliveries = 0;
  delivered = 0;
  duplicates = 0;
  unexpected = 0;

  expect(id: string, recipients: number[]): void {
    this.pending.set(id, { t0: performance.now(), expected: new Set(recipients), got: new Set() });
    this.expectedDeliveries += recipients.length;
    this.sent++;
  }

  /** A send that failed: not stored, so its deliveries are not expected (not "lost"). */
  notSent(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.expectedDeliveries -= entry.expected.size - entry.got.size;
    entry.expected = new Set(entry.got);
  }

  received(accountId: number, id: string): void {
    const entry = this.pending.get(id);
    if (!entry?.expected.has(accountId)) {
      this.unexpected++;
      return;
    }
    if (entry.got.has(accountId)) {
      this.duplicates++;
      return;
    }
    entry.got.add(accountId);
    this.delivered++;
    const latency = performance.now() - entry.t0;
    this.latencies.push(latency);
    const second = Math.floor((entry.t0 - this.started) / 1000);
    this.worstBySecond[second] = Math.max(this.worstBySecond[second] ?? 0, latency);
  }

  get lost(): number {
    return this.expectedDeliveries - this.delivered;
  }

  stats() {
    const sorted = Float64Array.from(this.latencies).sort();
    const sends = Float64Array.from(this.sendTimes).sort();
    const pct = (a: Float64Array, p: number) =>
      a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]! : Number.NaN;
    return {
      sent: this.sent,
      deliveries: this.delivered,
      expected: this.expectedDeliveries,
      lost: this.lost,
      duplicates: this.duplicates,
      unexpected: this.unexpected,
      httpErrors: this.httpErrors,
      p50: pct(sorted, 50),
      p90: pct(sorted, 90),
      p99: pct(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      sendP50: pct(sends, 50),
      sendP99: pct(sends, 99),
    };
  }
}

export type Stats = ReturnType<Tracker['stats']>;

/** Connects one nes client per account, subscribed to its own path, `concurrency` at a time. */
export async function connectNesSubscribers(
  port: number,
  tokens: Map<number, string>,
  onMessage: (accountId: number, messageId: string) => void,
  concurrency = 100,
): Promise<{ clients: NesClient[]; disconnects: () => number }> {
  const clients: NesClient[] = [];
  let disconnects = 0;
  const entries = [...tokens];
  for (let i = 0; i < entries.length; i += concurrency) {
    await Promise.all(
      entries.slice(i, i + concurrency).map(async ([accountId, token]) => {
        const client = new Client(`ws://127.0.0.1:${port}`);
        client.onError = () => undefined;
        client.onDisconnect = (_willReconnect, log) => {
          if (!log.wasRequested) disconnects++;
        };
        await client.connect({ auth: { headers: { authorization: `Bearer ${token}` } } });
        await client.subscribe(`/users/${accountId}`, (update) => {
          const event = update as { type: string; message?: { id: string } };
          if (event.type === 'message.created' && event.message)
            onMessage(accountId, event.message.id);
        });
        clients.push(client);
      }),
    );
  }
  return { clients, disconnects: () => disconnects };
}

/** Bare ws subscribers of the floor server. */
export async function connectFloorSubscribers(
  port: number,
  tokens: Map<number, string>,
  onMessage: (accountId: number, messageId: string) => void,
  concurrency = 100,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const entries = [...tokens];
  for (let i = 0; i < entries.length; i += concurrency) {
    await Promise.all(
      entries.slice(i, i + concurrency).map(
        ([accountId, token]) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`);
            ws.on('error', reject);
            ws.on('message', (data) => {
              const event = JSON.parse(String(data)) as { type: string; message?: { id: string } };
              if (event.type === 'ready') resolve();
              else if (event.message) onMessage(accountId, event.message.id);
            });
            sockets.push(ws);
          }),
      ),
    );
  }
  return sockets;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, path: string, headers: Record<string, string>, body: string) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export type Target = 'relais' | 'floor';

export interface LoadOptions {
  target: Target;
  port: number;
  rate: number;
  seconds: number;
  conversations: Map<number, number[]>;
  tokens: Map<number, string>;
  tracker: Tracker;
  /** How long to wait for the last deliveries after the last send. */
  drainMs?: number;
}

/**
 * Sends `rate` messages per second for `seconds`, each to a random conversation by one of
 * its participants, through the REST API (Relais) or POST /send (floor); then waits for the
 * deliveries to drain.
 */
export async function runLoad(options: LoadOptions): Promise<void> {
  const { target, port, rate, seconds, conversations, tokens, tracker } = options;
  const ids = [...conversations.keys()];
  const total = Math.round(rate * seconds);
  let fired = 0;
  const inflight = new Set<Promise<void>>();
  const fire = () => {
    const conversationId = ids[Math.floor(Math.random() * ids.length)]!;
    const members = conversations.get(conversationId)!;
    const sender = members[Math.floor(Math.random() * members.length)]!;
    const id = randomUUID();
    const body = `bench message ${fired} — ${'x'.repeat(60)}`;
    tracker.expect(id, members);
    const started = performance.now();
    const attempt = () =>
      target === 'relais'
        ? post(
            port,
            `/api/conversations/${conversationId}/messages`,
            { authorization: `Bearer ${tokens.get(sender)}` },
            JSON.stringify({ id, body }),
          )
        : post(port, '/send', {}, JSON.stringify({ conversationId, id, body, senderId: sender }));
    // A keep-alive socket closed by the server as it was reused fails at once: retry once
    // with the same id, as the client library does (the send is idempotent).
    const p = attempt()
      .catch(() => attempt())
      .then((status) => {
        if (status !== 201) {
          tracker.httpErrors++;
          tracker.failures[status] = (tracker.failures[status] ?? 0) + 1;
          tracker.notSent(id);
        }
        tracker.sendTimes.push(performance.now() - started);
      })
      .catch((err: Error) => {
        tracker.httpErrors++;
        tracker.failures[err.message] = (tracker.failures[err.message] ?? 0) + 1;
        tracker.notSent(id);
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (fired < due) {
        fire();
        fired++;
      }
      if (fired >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inflight);
  const deadline = performance.now() + (options.drainMs ?? 3000);
  while (tracker.lost > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
