import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeAttachments } from '../domain/attachments';
import type { RunningClamd } from '../domain/attachments/examine';
import { loadConfig } from '../domain/config';
import { closeContext, createContext } from '../domain/context';
import { ensureDatabase, migrate } from '../domain/db';
import { exitWithBootError, onShutdown } from '../domain/lifecycle';
import { createLogger } from '../domain/logger';
import { checkServices, safeUrl } from '../domain/preflight';
import { createServer } from '../server/app';
import { startWorkers } from '../workers';
import { prepareAttachments } from './attachments';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './demo/seed';
import type { LocalPsc } from './psc/local-provider';

/**
 * `npm start`: the whole system in one process, with demo data, for a laptop or a demo.
 * Production runs `start:server` and `start:workers` separately (see docker-compose.yml).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const step = (text: string) => process.stdout.write(`• ${text}\n`);

try {
  let config = loadConfig();
  step(
    `Checking PostgreSQL (${safeUrl(config.databaseUrl)}) and Redis (${safeUrl(config.redisUrl)})`,
  );
  await checkServices(config);
  let localPsc: LocalPsc | null = null;
  if (config.pscLocal) {
    // Loaded only here: production never imports oidc-provider.
    const { startDemoPsc } = await import('./psc/demo');
    ({ config, psc: localPsc } = await startDemoPsc(config));
    step(`Started the local Pro Santé Connect provider (${localPsc.issuer})`);
  }
  let clamd: RunningClamd | null = null;
  ({ config, clamd } = await prepareAttachments(config, step));
  if (await ensureDatabase(config.databaseUrl)) step('Created the database');
  // A person at a terminal reads lines; a process manager collects JSON.
  const logger = createLogger(config.logLevel, { pretty: Boolean(process.stdout.isTTY) });
  const ctx = createContext(config, { logger });
  const applied = await migrate(ctx.db);
  step(applied.length ? `Applied ${applied.length} migration(s)` : 'Database schema up to date');

  const [{ count }] = await ctx.db('accounts').count<{ count: string }[]>({ count: '*' });
  if (Number(count) === 0) {
    step('Loading the demo dataset (first start only)');
    const summary = await seedDemo(ctx);
    step(`Demo data: ${summary}`);
  }

  if (!existsSync(`${root}web/dist/relais.js`)) {
    step('Building the web components (first start only)');
    const build = spawnSync('npm', ['run', '--silent', 'build:web'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('the web build failed (see above)');
  }

  const server = await createServer(ctx);
  const workers = await startWorkers(ctx);
  await server.start();
  onShutdown(ctx.logger, config.shutdownTimeoutMs, [
    ['http', () => server.stop({ timeout: config.shutdownTimeoutMs })],
    ['workers', () => workers.close()],
    // The upload queue and the storage client (S3 keeps sockets open).
    ['attachments', () => closeAttachments(ctx)],
    ['connections', () => closeContext(ctx)],
    ...(clamd ? [['antivirus', () => clamd.stop()] as [string, () => Promise<void>]] : []),
    ...(localPsc
      ? [['local Pro Santé Connect', () => localPsc.close()] as [string, () => Promise<void>]]
      : []),
  ]);

  const width = Math.max(...DEMO_USERS.map((u) => u.email.length));
  process.stdout.write(
    [
      '',
      `Relais is running: ${config.publicUrl}`,
      `  API documentation: ${config.publicUrl}/documentation`,
      '',
      `Demo sign-ins (password for all: ${DEMO_PASSWORD})`,
      ...DEMO_USERS.map((u) => `  ${u.email.padEnd(width)}  ${u.description}`),
      '',
      ...(localPsc
        ? [
            `Pro Santé Connect (local, demo): ${localPsc.issuer}`,
            '  "Se connecter avec Pro Santé Connect" lists the demo professionals to pick from.',
            '',
          ]
        : config.psc
          ? [`Pro Santé Connect: ${config.psc.issuer}`, '']
          : []),
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
} catch (err) {
  exitWithBootError(err);
}
