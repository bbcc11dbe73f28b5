import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server, ServerInjectResponse } from '@hapi/hapi';
import { createSession, hashPassword } from '../../domain/accounts';
import { type Config, loadConfig } from '../../domain/config';
import { type AppContext, createContext } from '../../domain/context';
import { Account } from '../../domain/models';
import { createServer, type ServerOptions } from '../../server/app';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from './db';

export interface TestApp {
  ctx: AppContext;
  server: Server;
  database: TestDatabase;
  /** http://127.0.0.1:<port> of the started server. */
  url: string;
  stop(): Promise<void>;
}

/** The configuration of a test: defaults, plus a private database and Redis prefix. */
export function testConfig(database: TestDatabase, env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    REDIS_PREFIX: testRedisPrefix(),
    // Files of tests never land in the checkout (tests that look at them pass their own).
    ATTACHMENTS_DIR: join(tmpdir(), 'relais-test-files'),
    ...env,
  });
}

export function testContext(database: TestDatabase, config: Config): AppContext {
  return createContext(config, { db: database.db });
}

/**
 * A started server over its own database and Redis prefix. Pass `database` to run a
 * second node over the same data (multi-node tests).
 */
export async function startTestApp(
  options: { env?: NodeJS.ProcessEnv; database?: TestDatabase; server?: ServerOptions } = {},
): Promise<TestApp> {
  const ownsDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const config = testConfig(database, { HOST: '127.0.0.1', ...options.env });
  const ctx = testContext(database, config);
  const server = await createServer(ctx, { port: 0, ...options.server });
  await server.start();
  return {
    ctx,
    server,
    database,
    url: `http://127.0.0.1:${server.info.port}`,
    async stop() {
      await server.stop({ timeout: 1000 });
      await ctx.redis.quit();
      if (ownsDatabase) await database.drop();
    },
  };
}

export interface TestUser {
  account: Account;
  email: string;
  password: string;
  token: string;
}

/** An account with a password and a live session token. */
export async function createUser(
  ctx: AppContext,
  fields: Partial<
    Pick<Account, 'first_name' | 'last_name' | 'professional_id' | 'is_admin' | 'locale'>
  > & {
    email?: string;
    password?: string;
  } = {},
): Promise<TestUser> {
  const { email: givenEmail, password: givenPassword, ...rest } = fields;
  const email = givenEmail ?? `user-${randomBytes(4).toString('hex')}@example.test`;
  const password = givenPassword ?? `pw-${randomBytes(8).toString('hex')}`;
  const account = await Account.query(ctx.db).insertAndFetch({
    email,
    password_hash: await hashPassword(password),
    first_name: 'Test',
    last_name: 'User',
    ...rest,
  });
  const { token } = await createSession(ctx, account.id, 'password');
  return { account, email, password, token };
}

export type ApiResponse = ServerInjectResponse & {
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route returned
  body: any;
};

/** server.inject with a bearer token and JSON payload; `body` is the parsed JSON. */
export async function call(
  server: Server,
  method: string,
  url: string,
  options: { token?: string; payload?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  return withBody(
    await server.inject({
      method,
      url,
      payload: options.payload as object | undefined,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
    }),
  );
}

/** An injected response with `body`: its payload parsed as JSON (the raw text if it is not). */
export function withBody(res: ServerInjectResponse): ApiResponse {
  let body: unknown = null;
  try {
    body = res.payload ? JSON.parse(res.payload) : null;
  } catch {
    body = res.payload;
  }
  return Object.assign(res, { body });
}
