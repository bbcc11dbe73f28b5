/**
 * npm run bench:search [-- --database relais_bench_xxx --seconds 20 --clients 20]
 *
 * Search latency and throughput over a national-size directory: 20 concurrent clients
 * run a realistic mix of recipient-picker queries through `searchDirectory` (the whole
 * domain call the API makes: ranking tiers, hydration of the page, statuses, favourites),
 * first at a given rate (--rate, 300/s: latencies per query kind), then flat out
 * (saturation: the maximum throughput).
 * Then, in the same run, a naive baseline (ILIKE '%…%' over the same tables) runs the same
 * mix, and the speed-up is printed. Also prints the query plans of 1–2 letter queries and
 * checks that none reads directory_search sequentially.
 *
 * Without --database, creates relais_bench_<random>, imports the generated extract
 * (.tmp/rpps-2.4M.txt, generated if missing), and drops the database at the end.
 * Prints a table, then one JSON line.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { createDb } from '../domain/db';
import { importExtract, searchDirectory } from '../domain/directory';
import {
  benchUrl,
  createBenchDatabase,
  dropBenchDatabase,
  ensureExtract,
  table,
} from './lib/bench-db';
import { cpuSnapshot } from './lib/cpu';
import { explainShortQueries } from './lib/explain';
import { naiveSearch } from './lib/naive';
import { buildQueryMix, type Query } from './lib/query-mix';

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    file: { type: 'string', default: '.tmp/rpps-2.4M.txt' },
    seconds: { type: 'string', default: '20' },
    'baseline-seconds': { type: 'string', default: '15' },
    clients: { type: 'string', default: '20' },
    rate: { type: 'string', default: '300' },
    explain: { type: 'string', default: '.tmp/search-explain.txt' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);

let owned: string | undefined;
let url: string;
if (values.database) {
  url = benchUrl(values.database);
} else {
  await ensureExtract(values.file, 2_400_000);
  const bench = await createBenchDatabase();
  owned = bench.name;
  url = bench.url;
  const setup = createDb(url, { min: 0, max: 2 });
  console.error('importing the extract (a few minutes)…');
  await importExtract(setup, values.file);
  await setup.destroy();
}

const db = createDb(url, { min: clients, max: clients });

interface Sample {
  kind: string;
  ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * `clients` loops running queries from the mix for `durationMs`; every latency recorded.
 * Without `rate`, each client sends its next query as soon as the previous one returns
 * (saturation: the maximum throughput). With `rate` (searches/s for all clients), each
 * client sends on a fixed schedule, and latency counts from the scheduled time, so that
 * waiting behind a slow query is measured too (no coordinated omission).
 */
async function run(
  mix: Query[],
  durationMs: number,
  exec: (q: Query) => Promise<unknown>,
  rate?: number,
): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const samples: Sample[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  const interval = rate ? (1000 * clients) / rate : 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let scheduled = started + (interval * client) / clients;
      while (performance.now() < deadline) {
        if (rate) {
          const wait = scheduled - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const q = mix[next++ % mix.length]!;
        const t0 = rate ? scheduled : performance.now();
        await exec(q);
        samples.push({ kind: q.kind, ms: performance.now() - t0 });
        scheduled += interval;
      }
    }),
  );
  return { samples, elapsedMs: performance.now() - started };
}

function summarise(samples: Sample[], elapsedMs: number) {
  const kinds = [...new Set(samples.map((s) => s.kind))].sort();
  const stats = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return {
      n: sorted.length,
      p50: +percentile(sorted, 50).toFixed(2),
      p95: +percentile(sorted, 95).toFixed(2),
      p99: +percentile(sorted, 99).toFixed(2),
    };
  };
  return {
    perSecond: +((samples.length / elapsedMs) * 1000).toFixed(1),
    all: stats(samples.map((s) => s.ms)),
    kinds: Object.fromEntries(
      kinds.map((k) => [k, stats(samples.filter((s) => s.kind === k).map((s) => s.ms))]),
    ),
  };
}

/** CPU per search (Node and PostgreSQL), one search at a time: what load is made of. */
async function costPerSearch(knex: Knex, mix: Query[], exec: (q: Query) => Promise<unknown>) {
  const before = await cpuSnapshot(knex);
  const started = performance.now();
  for (const q of mix) await exec(q);
  const wallMs = (performance.now() - started) / mix.length;
  const after = await cpuSnapshot(knex);
  const perSearch = (a: number | null, b: number | null) =>
    a === null || b === null ? null : +(((b - a) * 1000) / mix.length).toFixed(2);
  return {
    wallMs: +wallMs.toFixed(2),
    nodeMs: perSearch(before.node, after.node),
    postgresMs: perSearch(before.pg, after.pg),
  };
}

async function viewerAccount(knex: Knex): Promise<number> {
  // A signed-in user with a few favourites, as in real use.
  const [account] = await knex('accounts')
    .insert({ email: `bench-${Date.now()}@example.test` })
    .returning('id');
  const ids = await knex('professionals').orderBy('id').limit(5).pluck('id');
  for (const id of ids) {
    await knex('directory_favourites').insert({ account_id: account.id, professional_id: id });
  }
  return account.id;
}

try {
  const accountId = await viewerAccount(db);
  const viewer = { accountId, inactivityDays: 30 };
  const mix = await buildQueryMix(db, 2026);
  const ours = (q: Query) => searchDirectory(db, viewer, { ...q.filters, pageSize: 20 });

  console.error(`warming up…`);
  await run(mix, 3000, ours);
  console.error('cost of one search: the mix one at a time…');
  const cost = await costPerSearch(db, mix.slice(0, 1000), ours);
  const rate = Number(values.rate);
  console.error(`indexed search at ${rate}/s: ${clients} clients for ${seconds} s…`);
  const indexed = await run(mix, seconds * 1000, ours, rate);
  console.error(`indexed search, saturation: ${clients} clients for ${seconds} s…`);
  const saturated = await run(mix, seconds * 1000, ours);
  console.error(`naive ILIKE baseline: ${clients} clients for ${values['baseline-seconds']} s…`);
  const naive = await run(mix, Number(values['baseline-seconds']) * 1000, (q) =>
    naiveSearch(db, q.filters, 21),
  );

  const plans = await explainShortQueries(db);
  writeFileSync(values.explain, plans.text);

  const a = summarise(indexed.samples, indexed.elapsedMs);
  const max = summarise(saturated.samples, saturated.elapsedMs);
  const b = summarise(naive.samples, naive.elapsedMs);
  const rows: (string | number)[][] = [
    [
      'query kind',
      'n',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'naive p50 ms',
      'naive p95 ms',
      'speed-up p50',
    ],
  ];
  for (const [kind, s] of Object.entries(a.kinds)) {
    const n = b.kinds[kind];
    rows.push([
      kind,
      s.n,
      s.p50,
      s.p95,
      s.p99,
      n?.p50 ?? '-',
      n?.p95 ?? '-',
      n ? `${(n.p50 / s.p50).toFixed(0)}x` : '-',
    ]);
  }
  rows.push([
    'all',
    a.all.n,
    a.all.p50,
    a.all.p95,
    a.all.p99,
    b.all.p50,
    b.all.p95,
    `${(b.all.p50 / a.all.p50).toFixed(0)}x`,
  ]);
  console.log(table(rows));
  console.log(
    `latencies above: ${clients} clients sending ${rate} searches/s in all (achieved ${a.perSecond}/s); naive baseline: ${clients} clients flat out`,
  );
  console.log(
    `saturation: ${max.perSecond} searches/s with ${clients} clients (p50 ${max.all.p50} ms, p95 ${max.all.p95} ms); naive: ${b.perSecond}/s, ${(max.perSecond / b.perSecond).toFixed(0)}x`,
  );
  console.log(
    `one search at a time: ${cost.wallMs} ms; CPU per search: Node ${cost.nodeMs} ms, PostgreSQL ${cost.postgresMs ?? 'not measured (not on this machine)'} ms`,
  );
  console.log(
    `1–2 letter plans: ${plans.seqScans ? `${plans.seqScans} SEQUENTIAL SCAN(S)` : 'no sequential scan of directory_search'} (plans in ${values.explain})`,
  );
  console.log(
    JSON.stringify({
      bench: 'search',
      date: new Date().toISOString(),
      cpus: os.cpus().length,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      clients,
      seconds,
      rate,
      indexed: a,
      saturation: max,
      costPerSearch: cost,
      naive: b,
      speedUpP50: +(b.all.p50 / a.all.p50).toFixed(1),
      speedUpThroughput: +(max.perSecond / b.perSecond).toFixed(1),
      shortQuerySeqScans: plans.seqScans,
    }),
  );
} finally {
  await db.destroy();
  if (owned) await dropBenchDatabase(owned);
}
