import { createHash, randomBytes } from 'node:crypto';
import { createDb } from '../../domain/db';

export interface Seed {
  /** account id → bearer token, for every subscriber. */
  tokens: Map<number, string>;
  /** conversation id → participating account ids (2 to 5). */
  conversations: Map<number, number[]>;
}

/** Deterministic-enough pseudo-random numbers (the seed does not matter, the shape does). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * N professionals with accounts and live sessions, and C conversations of 2–5 of them, with
 * no messages yet. Set-based SQL, so seeding 5,000 users takes a second or two.
 */
export async function seedRealtimeBench(
  url: string,
  users: number,
  conversationCount: number,
): Promise<Seed> {
  const db = createDb(url, { min: 0, max: 2 });
  try {
    await db.raw(
      `INSERT INTO professionals (national_id, id_type, identifier, last_name, first_name)
       SELECT '8' || (10000000000 + g)::text, '8', (10000000000 + g)::text, 'Bench' || g, 'User' || g
         FROM generate_series(1, ?) g`,
      [users],
    );
    await db.raw(
      `INSERT INTO accounts (professional_id, first_name, last_name, email, last_active_at)
       SELECT id, first_name, last_name, 'u' || id || '@bench.test', now() FROM professionals ORDER BY id`,
    );
    const accounts: Array<{ id: number; professional_id: number }> = await db('accounts')
      .orderBy('id')
      .select('id', 'professional_id');
    const tokens = new Map<number, string>();
    const sessions = accounts.map((a) => {
      const token = `rls_${randomBytes(32).toString('base64url')}`;
      tokens.set(a.id, token);
      return {
        account_id: a.id,
        token_hash: createHash('sha256').update(token).digest(),
        method: 'password',
        expires_at: new Date(Date.now() + 24 * 3600 * 1000),
      };
    });
    await db.batchInsert('sessions', sessions, 1000);

    const random = rng(2026);
    const convRows = Array.from({ length: conversationCount }, (_, i) => ({
      subject: `Bench ${i + 1}`,
    }));
    const ids: number[] = [];
    for (let i = 0; i < convRows.length; i += 1000) {
      const rows = await db('conversations')
        .insert(convRows.slice(i, i + 1000))
        .returning('id');
      ids.push(...rows.map((r: { id: number }) => Number(r.id)));
    }
    const conversations = new Map<number, number[]>();
    const participantRows: Array<{
      conversation_id: number;
      kind: string;
      professional_id: number;
    }> = [];
    for (const id of ids) {
      const size = 2 + Math.floor(random() * 4);
      const chosen = new Set<number>();
      while (chosen.size < size) chosen.add(Math.floor(random() * accounts.length));
      const members = [...chosen].map((i) => accounts[i]!);
      conversations.set(
        id,
        members.map((m) => m.id),
      );
      for (const m of members) {
        participantRows.push({
          conversation_id: id,
          kind: 'professional',
          professional_id: m.professional_id,
        });
      }
    }
    await db.batchInsert('conversation_participants', participantRows, 2000);
    await db.raw('ANALYZE');
    return { tokens, conversations };
  } finally {
    await db.destroy();
  }
}
