import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * The floor of the realtime benchmark: the least a server can do for the same load. A bare
 * `ws` server (no Hapi, no nes, no Redis) whose HTTP POST /send inserts the message row —
 * one statement that also takes the next sequence number — and forwards it as JSON to the
 * participants' sockets, known from memory. Sockets authenticate once with ?token=.
 * Same IPC protocol as realtime-server.ts.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const participants = new Map<number, number[]>();
for (const row of (
  await pool.query(
    'SELECT conversation_id, array_agg(a.id) AS accounts FROM conversation_participants p JOIN accounts a ON a.professional_id = p.professional_id GROUP BY conversation_id',
  )
).rows) {
  participants.set(Number(row.conversation_id), row.accounts.map(Number));
}

const sockets = new Map<number, Set<WebSocket>>();

const http = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/send') {
    res.writeHead(404).end();
    return;
  }
  let raw = '';
  req.on('data', (chunk) => {
    raw += chunk;
  });
  req.on('end', async () => {
    try {
      const { conversationId, id, body, senderId } = JSON.parse(raw);
      const { rows } = await pool.query(
        `WITH c AS (UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
         INSERT INTO messages (id, conversation_id, seq, sender_account_id, body)
         SELECT $2, $1, last_seq, $3, $4 FROM c RETURNING seq, created_at`,
        [conversationId, id, senderId, body],
      );
      const message = JSON.stringify({
        type: 'message.created',
        conversationId,
        message: { id, body, seq: rows[0].seq },
      });
      for (const accountId of participants.get(conversationId) ?? []) {
        for (const ws of sockets.get(accountId) ?? []) ws.send(message);
      }
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id, seq: rows[0].seq }));
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
});

const wss = new WebSocketServer({ server: http });
wss.on('connection', async (ws, req) => {
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
  const hash = createHash('sha256').update(token).digest();
  const { rows } = await pool.query(
    'SELECT account_id FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()',
    [hash],
  );
  const accountId = rows[0]?.account_id as number | undefined;
  if (!accountId) {
    ws.close(4401, 'unauthorized');
    return;
  }
  const set = sockets.get(Number(accountId)) ?? new Set<WebSocket>();
  sockets.set(Number(accountId), set);
  set.add(ws);
  ws.on('close', () => set.delete(ws));
  ws.send(JSON.stringify({ type: 'ready' }));
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address() as { port: number };
  process.send?.({ type: 'listening', port: address.port });
});

process.on('message', async (msg: { type: string }) => {
  if (msg.type === 'cpu') {
    process.send?.({ type: 'cpu', cpu: process.cpuUsage() });
  } else if (msg.type === 'mem') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.send?.({ type: 'mem', usage: process.memoryUsage(), cpu: process.cpuUsage() });
  } else if (msg.type === 'stop') {
    for (const client of wss.clients) client.terminate();
    http.close();
    await pool.end();
    process.exit(0);
  }
});
