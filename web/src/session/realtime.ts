import { RealtimeClient } from '../client';
import type { RelaisSession } from './session';

/**
 * Connects a session to the server's realtime events through the shared realtime client
 * (web/src/client: nes, automatic reconnection, catch-up of what was missed, de-duplicated
 * messages) and relays them to the session's elements as `realtime` events. A refused
 * token ends the session (the app shows the sign-in again).
 *
 * A laptop that slept, or a tab the browser froze, may hold a websocket that looks alive
 * while events went nowhere (nes notices only at its next heartbeat, up to 30 s later):
 * when the page becomes visible again or the browser says it is back online, the client
 * runs a catch-up (one conversation-list request when nothing changed), at most every
 * few seconds.
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
    client.on('attachment', ({ conversationId, messageId, attachment }) =>
      session.emitRealtime({ type: 'attachment', conversationId, messageId, attachment }),
    ),
    client.on('attachmentRemoved', ({ conversationId, messageId, attachmentId }) =>
      session.emitRealtime({ type: 'attachment.removed', conversationId, messageId, attachmentId }),
    ),
    client.on('access', () => {
      // Its structures (and so what it answers for, what it administers) may have changed
      // too: the account is read again first, then the elements reload what they show.
      void session
        .loadMe()
        .catch(() => undefined)
        .then(() => session.emitRealtime({ type: 'access' }));
    }),
    client.on('connected', ({ reconnect }) => {
      session.setConnected(true);
      if (reconnect) session.emitReconnected();
    }),
    client.on('disconnected', () => session.setConnected(false)),
    client.on('expired', () => session.expire()),
    catchUpOnWake(client),
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

const WAKE_SYNC_MIN_MS = 5000;

/** Catch-up when the page is shown again or the network is back; returns the unhook. */
function catchUpOnWake(client: RealtimeClient): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => undefined;
  let connected = false;
  let last = 0;
  const offConnected = client.on('connected', () => {
    connected = true;
  });
  const wake = () => {
    // Before the first connection the connect loop is in charge; hidden pages wait.
    if (!connected || document.visibilityState !== 'visible') return;
    if (Date.now() - last < WAKE_SYNC_MIN_MS) return;
    last = Date.now();
    void client.sync();
  };
  document.addEventListener('visibilitychange', wake);
  window.addEventListener('online', wake);
  return () => {
    offConnected();
    document.removeEventListener('visibilitychange', wake);
    window.removeEventListener('online', wake);
  };
}
