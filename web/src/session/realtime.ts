import { RealtimeClient } from '../client';
import type { RelaisSession } from './session';

/**
 * Connects a session to the server's realtime events through the shared realtime client
 * (web/src/client: nes, automatic reconnection, catch-up of what was missed, de-duplicated
 * messages) and relays them to the session's elements as `realtime` events. A refused
 * token ends the session (the app shows the sign-in again).
 */
export interface RealtimeLink {
  client: RealtimeClient;
  close(): Promise<void>;
}

export function connectRealtime(session: RelaisSession): RealtimeLink {
  const client = new RealtimeClient({
    baseUrl: session.server,
    token: session.token,
    accountId: session.account?.id,
    onUnauthorized: () => session.expire(),
  });
  const off = [
    client.on('message', ({ conversationId, message, live }) =>
      session.emitRealtime({ type: 'message', conversationId, message, live }),
    ),
    client.on('conversation', ({ conversation, reason }) =>
      session.emitRealtime({ type: 'conversation', conversation, reason }),
    ),
    client.on('read', (e) =>
      session.emitRealtime({
        type: 'read',
        conversationId: e.conversationId,
        reader: e.reader,
        lastReadSeq: e.lastReadSeq,
        readAt: e.readAt,
        lastDeliveredSeq: e.lastDeliveredSeq,
        deliveredAt: e.deliveredAt,
      }),
    ),
    client.on('connected', ({ reconnect }) => {
      session.setConnected(true);
      if (reconnect) session.emitReconnected();
    }),
    client.on('disconnected', () => session.setConnected(false)),
    client.on('expired', () => session.expire()),
  ];
  let closed = false;
  const connect = async (attempt: number): Promise<void> => {
    if (closed || session.expired) return;
    try {
      await client.connect();
    } catch {
      // The first connection failed (server down?): nes only retries after a success.
      if (!closed && !session.expired) {
        setTimeout(() => void connect(attempt + 1), Math.min(1000 * 2 ** attempt, 15_000));
      }
    }
  };
  void connect(0);
  return {
    client,
    async close() {
      closed = true;
      for (const f of off) f();
      await client.disconnect().catch(() => undefined);
    },
  };
}
