import Joi from 'joi';

/**
 * Every setting comes from the environment and is validated once, at boot: a wrong value
 * stops the process with a message naming the variable, never later in a request.
 * Defaults work on a developer machine with local PostgreSQL and Redis.
 */
export interface Integration {
  id: string;
  secret: string;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  allowedOrigins: string[];
  sessionTtlSeconds: number;
  activityThrottleSeconds: number;
  inactivityDays: number;
  loginMaxPerAccount: number;
  loginMaxPerIp: number;
  loginWindowSeconds: number;
  embedMaxAgeSeconds: number;
  integrations: Integration[];
  wsMaxPayloadBytes: number;
  shutdownTimeoutMs: number;
}

/** The secret of the demo intranet: fine on a laptop, refused in production. */
export const DEMO_INTEGRATION_SECRET = 'demo-intranet-secret-change-me-0123456789';

const integrationList = Joi.string()
  .pattern(/^([a-z0-9][a-z0-9._-]*:[^,\s]{32,})(,[a-z0-9][a-z0-9._-]*:[^,\s]{32,})*$/)
  .messages({
    'string.pattern.base':
      '"{{#label}}" must be a comma-separated list of id:secret pairs, each secret at least 32 characters',
  });

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'test', 'production').default('development'),
  HOST: Joi.string().hostname().default('127.0.0.1'),
  PORT: Joi.number().port().default(3000),
  PUBLIC_URL: Joi.string().uri({ scheme: ['http', 'https'] }),
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://postgres@127.0.0.1:5432/relais'),
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9:_{}-]+$/)
    .default('relais'),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info'),
  ALLOWED_ORIGINS: Joi.string().allow(''),
  SESSION_TTL_HOURS: Joi.number().min(0.01).max(720).default(12),
  ACTIVITY_THROTTLE_SECONDS: Joi.number().integer().min(1).max(3600).default(300),
  INACTIVITY_DAYS: Joi.number().integer().min(1).max(365).default(30),
  LOGIN_MAX_PER_ACCOUNT: Joi.number().integer().min(1).default(5),
  LOGIN_MAX_PER_IP: Joi.number().integer().min(1).default(30),
  LOGIN_WINDOW_SECONDS: Joi.number().integer().min(1).default(900),
  EMBED_MAX_AGE_SECONDS: Joi.number().integer().min(10).max(3600).default(300),
  EMBED_INTEGRATIONS: integrationList.allow(''),
  WS_MAX_PAYLOAD_BYTES: Joi.number().integer().min(1024).max(10485760).default(65536),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(0).default(10000),
}).unknown(true);

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function parseIntegrations(raw: string | undefined): Integration[] {
  if (!raw) return [];
  return raw.split(',').map((pair) => {
    const at = pair.indexOf(':');
    return { id: pair.slice(0, at), secret: pair.slice(at + 1) };
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { value, error } = schema.validate(env, {
    abortEarly: false,
    convert: true,
    errors: { wrap: { label: false } },
  });
  if (error) throw new ConfigError(error.details.map((d) => d.message));

  const mode = value.NODE_ENV as Config['env'];
  const port = value.PORT as number;
  const publicUrl = (
    (value.PUBLIC_URL as string | undefined) ?? `http://localhost:${port}`
  ).replace(/\/$/, '');
  const origins = value.ALLOWED_ORIGINS
    ? String(value.ALLOWED_ORIGINS)
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : [new URL(publicUrl).origin, 'http://localhost:3001', 'http://127.0.0.1:3001'];
  const badOrigin = origins.find((o) => !/^https?:\/\/[^/\s]+$/.test(o));
  if (badOrigin) {
    throw new ConfigError([
      `ALLOWED_ORIGINS: "${badOrigin}" is not an origin like https://intranet.example`,
    ]);
  }

  let integrations = parseIntegrations(value.EMBED_INTEGRATIONS);
  if (mode === 'production') {
    if (integrations.some((i) => i.secret === DEMO_INTEGRATION_SECRET)) {
      throw new ConfigError(['EMBED_INTEGRATIONS: the demo secret must not be used in production']);
    }
    if (!value.PUBLIC_URL) throw new ConfigError(['PUBLIC_URL is required in production']);
  } else if (!value.EMBED_INTEGRATIONS) {
    integrations = [{ id: 'demo-intranet', secret: DEMO_INTEGRATION_SECRET }];
  }

  return {
    env: mode,
    host: value.HOST,
    port,
    publicUrl,
    databaseUrl: value.DATABASE_URL,
    redisUrl: value.REDIS_URL,
    redisPrefix: value.REDIS_PREFIX,
    logLevel: value.LOG_LEVEL,
    allowedOrigins: origins,
    sessionTtlSeconds: Math.round(value.SESSION_TTL_HOURS * 3600),
    activityThrottleSeconds: value.ACTIVITY_THROTTLE_SECONDS,
    inactivityDays: value.INACTIVITY_DAYS,
    loginMaxPerAccount: value.LOGIN_MAX_PER_ACCOUNT,
    loginMaxPerIp: value.LOGIN_MAX_PER_IP,
    loginWindowSeconds: value.LOGIN_WINDOW_SECONDS,
    embedMaxAgeSeconds: value.EMBED_MAX_AGE_SECONDS,
    integrations,
    wsMaxPayloadBytes: value.WS_MAX_PAYLOAD_BYTES,
    shutdownTimeoutMs: value.SHUTDOWN_TIMEOUT_MS,
  };
}
