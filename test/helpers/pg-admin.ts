import pg from 'pg';

const ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the test server. */
export function baseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the maintenance database (CREATE/DROP DATABASE cannot run in a pool). */
export async function adminQuery(sql: string): Promise<Array<Record<string, string>>> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const res = await client.query(sql);
    return res.rows;
  } finally {
    await client.end();
  }
}
