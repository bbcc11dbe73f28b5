/**
 * npm run bench:invitations [-- --invitations 20000 --accounts 1000000 --processes 1
 *                              --concurrency 200 --pool 50]
 *
 * 1. End-to-end invitation throughput: 20,000 e-mail invitations (rows and attempts
 *    committed, then enqueued) delivered by the real BullMQ worker over pooled SMTP to a
 *    local SMTP server (smtp-server) in this process, which counts what it received by
 *    Message-ID: duplicates and losses are counted, not assumed. Target ≥ 500/s, 0, 0.
 * 2. Inactivity scan over 1,000,000 accounts: the daily run (the accounts that crossed 30
 *    days since yesterday get marked, reminders decided) and, for reference, a first run
 *    with nothing marked yet. Target < 5 s.
 *
 * Own database (relais_bench_inv_<random>, dropped at the end) and Redis prefix.
 * Prints a table, then one JSON line (last).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../domain/config';
import { createContext } from '../domain/context';
import { createDb } from '../domain/db';
import { markInactiveAccounts, planReminders } from '../domain/inactivity';
import { closeInvitationQueues, enqueueDeliveries } from '../domain/invitations';
import { createBenchDatabase, dropBenchDatabase } from './lib/bench-db';

const { values } = parseArgs({
  options: {
    invitations: { type: 'string', default: '20000' },
    accounts: { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '200' },
    pool: { type: 'string', default: '50' },
    processes: { type: 'string', default: '1' },
    // Write CPU profiles of the worker processes to this folder.
    profile: { type: 'string' },
  },
});
const N = Number(values.invitations);
const ACCOUNTS = Number(values.accounts);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const prefix = `relais_bench_inv_${randomBytes(4).toString('hex')}`;

// The SMTP server (another process) counts every message it accepted, by Message-ID.
const sink: ChildProcess = fork(fileURLToPath(new URL('./lib/smtp-sink.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
});
const smtpPort = await new Promise<number>((resolve) =>
  sink.once('message', (m) => resolve((m as { port: number }).port)),
);
interface Counts {
  accepted: number;
  distinct: number;
  invitations: number;
}
const counts = () =>
  new Promise<Counts>((resolve) => {
    sink.once('message', (m) => resolve(m as Counts));
    sink.send('count');
  });

const { name: dbName, url: dbUrl } = await createBenchDatabase('inv_');
const db = createDb(dbUrl, { min: 2, max: 20 });
const results: Record<string, number | boolean | string> = {};
const rows: Array<[string, string, string]> = [];

try {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    PUBLIC_URL: 'https://relais.bench.test',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'error',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_POOL_SIZE: values.pool,
    EMAIL_CONCURRENCY: values.concurrency,
  };
  const config = loadConfig(env);
  const ctx = createContext(config, { db });

  // --- 1. invitations -------------------------------------------------------------------
  const [inviter] = await db('accounts')
    .insert({ email: 'inviter@bench.test', first_name: 'Mathilde', last_name: 'Durand' })
    .returning('id');
  await db.raw(
    `INSERT INTO professionals (national_id, id_type, identifier, first_name, last_name, profession_label)
     SELECT '8' || g, '8', g::text, 'Prenom' || g, 'NOM' || g, 'Médecin' FROM generate_series(1, ?) g`,
    [N],
  );
  const t0 = performance.now();
  await db.raw(
    `WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM professionals),
     i AS (
       INSERT INTO invitations (inviter_account_id, professional_id, channel, address, address_source, token_hash, expires_at)
       SELECT ?, p.id, 'email', 'invitee' || p.n || '@bench.test', 'typed',
              sha256(convert_to('tok' || p.n || ?, 'UTF8')), now() + interval '14 days'
         FROM p RETURNING id, professional_id, address
     )
     INSERT INTO invitation_attempts (invitation_id, attempt, inviter_account_id, professional_id, address, channel, pending_token)
     SELECT i.id, 1, ?, i.professional_id, i.address, 'email', substr(md5(i.id::text || ?), 1, 32) FROM i`,
    [inviter.id, prefix, inviter.id, prefix],
  );
  const tRows = performance.now();
  const ids: Array<{ id: number }> = await db('invitations').select('id').orderBy('id');
  // M worker processes, as in production (docker-compose runs several).
  const workerProcesses = Array.from({ length: Number(values.processes) }, () =>
    fork(fileURLToPath(new URL('./lib/invitation-worker.ts', import.meta.url)), [], {
      execArgv: [
        '--import',
        'tsx',
        ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []),
      ],
      env,
    }),
  );
  await Promise.all(
    workerProcesses.map((child) => new Promise((resolve) => child.once('message', resolve))),
  );
  const tEnqueue0 = performance.now();
  for (let i = 0; i < ids.length; i += 1000) {
    await enqueueDeliveries(
      ctx,
      ids
        .slice(i, i + 1000)
        .map((r) => ({ invitationId: r.id, attempt: 1, channel: 'email' as const })),
    );
  }
  const tEnqueued = performance.now();
  const deadline = Date.now() + 180_000;
  while ((await counts()).distinct < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const tDelivered = performance.now();
  // Anything late (a duplicate) would show up now.
  await new Promise((r) => setTimeout(r, 2000));
  await Promise.all(
    workerProcesses.map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.send('stop');
        }),
    ),
  );
  await closeInvitationQueues(ctx);

  const final = await counts();
  const duplicates = final.accepted - final.distinct;
  const lost = N - final.invitations;
  const sentInDb = Number(
    (await db('invitations').where({ status: 'sent' }).count({ n: '*' }))[0]!.n,
  );
  const seconds = (tDelivered - tEnqueue0) / 1000;
  const perSecond = N / seconds;
  results.invitations = N;
  results.invitationsPerSecond = Math.round(perSecond);
  results.invitationsEndToEndSeconds = Number(((tDelivered - t0) / 1000).toFixed(2));
  results.duplicates = duplicates;
  results.lost = lost;
  results.sentInDatabase = sentInDb;
  rows.push(['rows + attempts committed (set-based)', `${((tRows - t0) / 1000).toFixed(2)} s`, '']);
  rows.push(['enqueue (addBulk ×1000)', `${((tEnqueued - tEnqueue0) / 1000).toFixed(2)} s`, '']);
  rows.push([
    `deliver ${N} e-mails, ${values.processes} worker processes (enqueue → last received)`,
    `${seconds.toFixed(2)} s`,
    `${Math.round(perSecond)}/s ${perSecond >= 500 ? '✓ ≥ 500/s' : '✗ < 500/s'}`,
  ]);
  rows.push(['received by the SMTP server (distinct)', String(final.distinct), '']);
  rows.push([
    'duplicates / lost',
    `${duplicates} / ${lost}`,
    duplicates === 0 && lost === 0 ? '✓' : '✗',
  ]);
  rows.push([
    'invitations marked sent in PostgreSQL',
    String(sentInDb),
    sentInDb === N ? '✓' : '✗',
  ]);

  // --- 2. inactivity scan ---------------------------------------------------------------
  const tSeed = performance.now();
  // Last activity spread over 120 days; one account in three of the inactive ones with a
  // waiting conversation.
  await db.raw(
    `INSERT INTO accounts (email, first_name, last_name, last_active_at, created_at)
     SELECT 'acct' || g || '@bench.test', 'A', 'B',
            now() - make_interval(secs => ((g::bigint * 7919) % ?) * (10368000.0 / ?)), now() - interval '200 days'
       FROM generate_series(1, ?) g`,
    [ACCOUNTS, ACCOUNTS, ACCOUNTS],
  );
  await db.raw(
    `INSERT INTO conversations (subject, last_seq) SELECT 'bench', 1 FROM generate_series(1, ?)`,
    [Math.round(ACCOUNTS / 30)],
  );
  await db.raw(
    `INSERT INTO conversation_participants (conversation_id, kind, account_id)
     SELECT c.id, 'account', a.id
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM conversations) c
       JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM accounts WHERE email LIKE 'acct%') a
         ON a.n = c.n * 3`,
  );
  await db.raw('ANALYZE');
  const seedSeconds = (performance.now() - tSeed) / 1000;

  // First run ever: every account older than 30 days is marked at once.
  let t = performance.now();
  const coldMarked = await markInactiveAccounts(ctx);
  const coldReminders = (await planReminders(ctx)).length;
  const coldSeconds = (performance.now() - t) / 1000;

  // A daily run: one more day has passed (accounts that crossed the threshold get marked).
  await db.raw(
    `UPDATE accounts SET inactive_since = NULL, reminder_step = 0, next_reminder_at = NULL
      WHERE last_active_at < now() - interval '30 days' AND last_active_at >= now() - interval '31 days'`,
  );
  await db.raw(`UPDATE inactivity_reminders SET state = 'sent'`);
  await db.raw('VACUUM ANALYZE accounts');
  t = performance.now();
  const dailyMarked = await markInactiveAccounts(ctx);
  const dailyMarkSeconds = (performance.now() - t) / 1000;
  const dailyReminders = (await planReminders(ctx)).length;
  const dailySeconds = (performance.now() - t) / 1000;
  results.scanDailyMarkSeconds = Number(dailyMarkSeconds.toFixed(3));

  results.accounts = ACCOUNTS;
  results.scanDailySeconds = Number(dailySeconds.toFixed(3));
  results.scanDailyMarked = dailyMarked;
  results.scanDailyReminders = dailyReminders;
  results.scanFirstRunSeconds = Number(coldSeconds.toFixed(3));
  results.scanFirstRunMarked = coldMarked;
  results.scanFirstRunReminders = coldReminders;
  rows.push([`seed ${ACCOUNTS} accounts + conversations`, `${seedSeconds.toFixed(1)} s`, '']);
  rows.push([
    `daily scan (${dailyMarked} marked, ${dailyReminders} reminders)`,
    `${dailySeconds.toFixed(3)} s`,
    dailySeconds < 5 ? '✓ < 5 s' : '✗ ≥ 5 s',
  ]);
  rows.push([
    `first scan ever (${coldMarked} marked, ${coldReminders} reminders)`,
    `${coldSeconds.toFixed(3)} s`,
    coldSeconds < 5 ? '✓ < 5 s' : '(one-off)',
  ]);
  results.ok =
    perSecond >= 500 && duplicates === 0 && lost === 0 && sentInDb === N && dailySeconds < 5;
  await ctx.redis.quit();
} finally {
  await db.destroy();
  await dropBenchDatabase(dbName);
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  sink.send('stop');
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'measure'.padEnd(width)}  ${'value'.padStart(10)}  verdict`);
for (const [label, value, verdict] of rows) {
  console.log(`${label.padEnd(width)}  ${value.padStart(10)}  ${verdict}`);
}
console.log(JSON.stringify({ bench: 'invitations', ...results }));
process.exit(results.ok ? 0 : 1);
