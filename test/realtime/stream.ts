import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { RealtimeClient } from '../../web/src/client';
import type { Message } from '../../web/src/client/types';

/**
 * What the fault tests share: a sender that keeps posting messages through REST while a
 * fault happens, a record of what the client library emits, and the final comparison
 * with what the database holds.
 */

const SEND_TIMEOUT_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Stream {
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
  readonly sent: number;
  readonly failed: number;
}

/**
 * One sender loop per conversation: post, wait for the answer (at most 1.5 s: a request
 * stuck behind a dead Redis is left to finish on its own), pause `everyMs`, again. Failures
 * (server down, network cut) are counted and ignored: the database says what was stored.
 */
export function startStream(
  baseUrl: string,
  token: string,
  conversationIds: number[],
  everyMs = 50,
): Stream {
  let stopped = false;
  const counts = { sent: 0, failed: 0 };
  const loops = conversationIds.map(async (id, i) => {
    let n = 0;
    while (!stopped) {
      try {
        const res = await fetch(`${baseUrl}/api/conversations/${id}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: randomUUID(), body: `c${i} #${++n}` }),
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        });
        await res.arrayBuffer();
        if (res.ok) counts.sent++;
        else counts.failed++;
      } catch {
        counts.failed++;
      }
      await sleep(everyMs);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
    get sent() {
      return counts.sent;
    },
    get failed() {
      return counts.failed;
    },
  };
}

/** Every message the client emits, in emission order, per conversation. */
export function recordMessages(client: RealtimeClient): Map<number, Message[]> {
  const emitted = new Map<number, Message[]>();
  client.on('message', ({ conversationId, message }) => {
    const list = emitted.get(conversationId) ?? [];
    emitted.set(conversationId, list);
    list.push(message);
  });
  return emitted;
}

export interface Outcome {
  stored: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
}

/**
 * Waits (up to `timeoutMs`) until every message stored after `baseline` (seq per
 * conversation, what the client held when the stream began) has been emitted, then
 * counts what is missing, emitted twice, or emitted after a higher seq.
 */
export async function compare(
  db: Knex,
  emitted: Map<number, Message[]>,
  baseline: Map<number, number>,
  timeoutMs: number,
): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await count(db, emitted, baseline);
    if ((outcome.missed === 0 && outcome.duplicates === 0) || Date.now() > deadline) return outcome;
    await sleep(100);
  }
}

async function count(
  db: Knex,
  emitted: Map<number, Message[]>,
  baseline: Map<number, number>,
): Promise<Outcome> {
  const outcome: Outcome = { stored: 0, missed: 0, duplicates: 0, outOfOrder: 0 };
  for (const [id, after] of baseline) {
    const rows: Array<{ id: string }> = await db('messages')
      .where({ conversation_id: id })
      .andWhere('seq', '>', after)
      .select('id');
    const got = emitted.get(id) ?? [];
    const ids = new Set(got.map((m) => m.id));
    outcome.stored += rows.length;
    outcome.missed += rows.filter((r) => !ids.has(r.id)).length;
    outcome.duplicates += got.length - ids.size;
    outcome.outOfOrder += got.filter((m, i) => i > 0 && m.seq <= got[i - 1]!.seq).length;
  }
  return outcome;
}
