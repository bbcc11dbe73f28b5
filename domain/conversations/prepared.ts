import type { Knex } from 'knex';

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Runs a named statement on a pooled connection: PostgreSQL parses and plans it once per
 * connection instead of on every call. For the hot path only (sending a message), where
 * planning a multi-CTE statement costs about as much as running it. `$n` placeholders.
 */
export async function runPrepared<T>(
  db: Knex,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = db.client as unknown as KnexClient;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ name, text, values })).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
