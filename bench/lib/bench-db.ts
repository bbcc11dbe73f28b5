import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { createDb, migrate } from '../../domain/db';
import { generateExtract } from '../../domain/directory';

/**
 * Benchmarks run on a database of their own (relais_bench_<random>), never on the dev
 * database, created on the server of BENCH_ADMIN_URL (default: local PostgreSQL).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function benchUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A migrated database `relais_bench_<tag><random>` (tags: rt_, inv_…). */
export async function createBenchDatabase(tag = ''): Promise<{ name: string; url: string }> {
  const name = `relais_bench_${tag}${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = benchUrl(name);
  const db = createDb(url, { min: 0, max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
  return { name, url };
}

export async function dropBenchDatabase(name: string): Promise<void> {
  if (!/^relais_bench_([a-z]+_)?[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** The benchmark extract, generated once (deterministically) and reused. */
export async function ensureExtract(path: string, lines: number): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  console.error(`generating ${path} (${lines} lines, seed 2026)…`);
  await generateExtract({ lines, seed: 2026 }, createWriteStream(path));
}

/** Samples this process's memory; returns the peaks (RSS and V8 heap used) in MiB. */
export function rssSampler(intervalMs = 100) {
  let peak = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rss: Math.round(peak / 1048576), heap: Math.round(peakHeap / 1048576) };
    },
  };
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r, ri) => {
      const line = r
        .map((c, i) => String(c)[typeof c === 'number' ? 'padStart' : 'padEnd'](widths[i]!))
        .join('  ');
      return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}
