import { createPrivateKey } from 'node:crypto';
import Joi from 'joi';
import { type AttachmentsConfig, attachmentKeys, attachmentsConfig } from './attachments/config';
import { type WebhooksConfig, webhookKeys, webhooksConfig } from './webhooks/config';

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
  /** Reverse proxies whose X-Forwarded-For is believed (exact IP addresses). */
  trustedProxies: string[];
  embedMaxAgeSeconds: number;
  integrations: Integration[];
  wsMaxPayloadBytes: number;
  /** Signed-in websockets one account may hold on one server node. */
  wsMaxSocketsPerAccount: number;
  /** Requests one bot token may make per minute (429 beyond; docs/bots.md). */
  botRatePerMinute: number;
  shutdownTimeoutMs: number;
  /** Invitations and reminders (issue 6): see docs/invitations.md. */
  delivery: DeliveryConfig;
  invitations: InvitationsConfig;
  inactivity: InactivityConfig;
  /** Pro Santé Connect (issue 16, docs/pro-sante-connect.md); null: the feature is off. */
  psc: PscConfig | null;
  /** `npm start` runs the local provider shaped like PSC (never in production). */
  pscLocal: boolean;
  /** Attachments (issue 11, docs/attachments.md). */
  attachments: AttachmentsConfig;
  /** Bot webhooks (issue 12, docs/bots.md "Webhooks"). */
  webhooks: WebhooksConfig;
}

export interface PscConfig {
  /** The realm URL, e.g. https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet */
  issuer: string;
  clientId: string;
  /** client_secret_basic; null when the client authenticates with `privateKey`. */
  clientSecret: string | null;
  /** PEM (PKCS#8) for private_key_jwt; null with a client secret. */
  privateKey: string | null;
  redirectUrl: string;
}

export interface DeliveryConfig {
  /** smtp(s)://user:pass@host:port; null: e-mails are written to the outbox folder. */
  smtpUrl: string | null;
  smtpPoolSize: number;
  mailFrom: string;
  dkim: { domainName: string; keySelector: string; privateKey: string } | null;
  /** null: SMS are written to the outbox folder. */
  twilio: { accountSid: string; authToken: string; from: string; apiUrl: string | null } | null;
  outboxDir: string;
}

export interface InvitationsConfig {
  ttlDays: number;
  maxPerInviterPerDay: number;
  maxPerTargetPerWeek: number;
  /** SMS are held between these local hours (start inclusive, end exclusive), e.g. 21 → 8. */
  quietStartHour: number;
  quietEndHour: number;
  quietTimeZone: string;
  /** Global SMS throughput: at most `smsRateMax` per `smsRateMs` across all workers. */
  smsRateMax: number;
  smsRateMs: number;
  emailConcurrency: number;
  /** Tries per delivery and the first retry delay (then doubling) for transient failures. */
  maxTries: number;
  retryDelayMs: number;
  /** Queued invitations untouched for this long are re-enqueued by the sweep. */
  sweepAfterSeconds: number;
  /** GET/POST /join/{token} per client IP and window; unknown links, a stricter count. */
  joinMaxPerIp: number;
  joinMaxInvalidPerIp: number;
  joinWindowSeconds: number;
}

export interface InactivityConfig {
  /** Daily scan, "HH:MM" in `timeZone`. */
  scanTime: string;
  timeZone: string;
  /** Days without activity at which reminders go out: the first is the inactivity threshold. */
  reminderDays: number[];
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
  BOT_RATE_PER_MINUTE: Joi.number().integer().min(1).max(100_000).default(600),
  TRUSTED_PROXIES: Joi.string()
    .allow('')
    .pattern(/^[0-9A-Fa-f.:,\s]*$/)
    .message('TRUSTED_PROXIES must be IP addresses separated by commas'),
  EMBED_MAX_AGE_SECONDS: Joi.number().integer().min(10).max(3600).default(300),
  EMBED_INTEGRATIONS: integrationList.allow(''),
  WS_MAX_PAYLOAD_BYTES: Joi.number().integer().min(1024).max(10485760).default(65536),
  WS_MAX_SOCKETS_PER_ACCOUNT: Joi.number().integer().min(1).max(1000).default(20),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(0).default(10000),
  SMTP_URL: Joi.string()
    .uri({ scheme: ['smtp', 'smtps'] })
    .allow(''),
  SMTP_POOL_SIZE: Joi.number().integer().min(1).max(100).default(5),
  MAIL_FROM: Joi.string().max(200).default('Relais <no-reply@relais.localhost>'),
  DKIM_DOMAIN: Joi.string().hostname().allow(''),
  DKIM_SELECTOR: Joi.string()
    .pattern(/^[A-Za-z0-9._-]+$/)
    .allow(''),
  DKIM_PRIVATE_KEY: Joi.string().allow(''),
  TWILIO_ACCOUNT_SID: Joi.string()
    .pattern(/^AC[0-9a-fA-F]{32}$/)
    .allow(''),
  TWILIO_AUTH_TOKEN: Joi.string().allow(''),
  TWILIO_FROM: Joi.string().allow(''),
  TWILIO_API_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .allow(''),
  OUTBOX_DIR: Joi.string().default('var/outbox'),
  INVITATION_TTL_DAYS: Joi.number().integer().min(1).max(90).default(14),
  INVITATION_MAX_PER_INVITER_PER_DAY: Joi.number().integer().min(1).default(20),
  INVITATION_MAX_PER_TARGET_PER_WEEK: Joi.number().integer().min(1).default(3),
  SMS_QUIET_HOURS: Joi.string()
    .pattern(/^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/)
    .default('21-8')
    .messages({ 'string.pattern.base': '"{{#label}}" must look like 21-8 (start-end hours)' }),
  SMS_QUIET_TIME_ZONE: Joi.string().default('Europe/Paris'),
  SMS_RATE_PER_SECOND: Joi.number().min(0.01).max(1000).default(1),
  EMAIL_CONCURRENCY: Joi.number().integer().min(1).max(500).default(50),
  INVITATION_MAX_TRIES: Joi.number().integer().min(1).max(20).default(8),
  INVITATION_RETRY_DELAY_MS: Joi.number().integer().min(10).max(3600000).default(5000),
  INVITATION_SWEEP_AFTER_SECONDS: Joi.number().integer().min(5).default(120),
  JOIN_MAX_PER_IP: Joi.number().integer().min(1).default(30),
  JOIN_MAX_INVALID_PER_IP: Joi.number().integer().min(1).default(10),
  JOIN_WINDOW_SECONDS: Joi.number().integer().min(1).default(900),
  INACTIVITY_SCAN_TIME: Joi.string()
    .pattern(/^([01]\d|2[0-3]):[0-5]\d$/)
    .default('03:30')
    .messages({ 'string.pattern.base': '"{{#label}}" must be HH:MM' }),
  INACTIVITY_TIME_ZONE: Joi.string().default('Europe/Paris'),
  INACTIVITY_REMINDER_DAYS: Joi.string()
    .pattern(/^\d{1,3}(,\d{1,3})*$/)
    .default('30,37,51'),
  PSC_ISSUER: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .allow(''),
  PSC_CLIENT_ID: Joi.string().max(200).allow(''),
  PSC_CLIENT_SECRET: Joi.string().max(500).allow(''),
  PSC_PRIVATE_KEY: Joi.string().allow(''),
  PSC_REDIRECT_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .allow(''),
  PSC_LOCAL: Joi.string().valid('true', 'false', ''),
  ...attachmentKeys,
  ...webhookKeys,
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

  const files = attachmentsConfig(value, mode);
  if (files.problems.length) throw new ConfigError(files.problems);
  const hooks = webhooksConfig(value);
  if (hooks.problems.length) throw new ConfigError(hooks.problems);

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
    trustedProxies: String(value.TRUSTED_PROXIES ?? '')
      .split(',')
      .map((ip) => ip.trim())
      .filter(Boolean),
    embedMaxAgeSeconds: value.EMBED_MAX_AGE_SECONDS,
    integrations,
    wsMaxPayloadBytes: value.WS_MAX_PAYLOAD_BYTES,
    wsMaxSocketsPerAccount: value.WS_MAX_SOCKETS_PER_ACCOUNT,
    botRatePerMinute: value.BOT_RATE_PER_MINUTE,
    shutdownTimeoutMs: value.SHUTDOWN_TIMEOUT_MS,
    ...messagingConfig(value, value.INACTIVITY_DAYS),
    ...pscConfig(value, mode, publicUrl),
    attachments: files.attachments,
    webhooks: hooks.webhooks,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the Joi-validated environment
function pscConfig(value: any, mode: Config['env'], publicUrl: string) {
  if (mode === 'production' && value.PSC_LOCAL === 'true') {
    throw new ConfigError([
      'PSC_LOCAL: the local Pro Santé Connect provider is refused in production',
    ]);
  }
  // Outside production the demo provider runs unless told not to or a real one is set.
  const pscLocal = mode !== 'production' && value.PSC_LOCAL !== 'false' && !value.PSC_ISSUER;
  if (!value.PSC_ISSUER) {
    const stray = ['PSC_CLIENT_ID', 'PSC_CLIENT_SECRET', 'PSC_PRIVATE_KEY'].filter((k) => value[k]);
    if (stray.length) throw new ConfigError([`${stray.join(', ')} set without PSC_ISSUER`]);
    return { psc: null, pscLocal };
  }
  const problems: string[] = [];
  const issuer = String(value.PSC_ISSUER).replace(/\/$/, '');
  if (mode === 'production' && !issuer.startsWith('https://')) {
    problems.push('PSC_ISSUER must be https in production');
  }
  if (!value.PSC_CLIENT_ID) problems.push('PSC_CLIENT_ID is required with PSC_ISSUER');
  if (Boolean(value.PSC_CLIENT_SECRET) === Boolean(value.PSC_PRIVATE_KEY)) {
    problems.push('Pro Santé Connect needs exactly one of PSC_CLIENT_SECRET and PSC_PRIVATE_KEY');
  }
  const privateKey = value.PSC_PRIVATE_KEY
    ? String(value.PSC_PRIVATE_KEY).replace(/\\n/g, '\n')
    : null;
  if (privateKey) {
    try {
      const key = createPrivateKey(privateKey);
      if (!['rsa', 'ec'].includes(key.asymmetricKeyType ?? '')) throw new Error('type');
    } catch {
      problems.push('PSC_PRIVATE_KEY is not an RSA or EC private key in PEM');
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const psc: PscConfig = {
    issuer,
    clientId: value.PSC_CLIENT_ID,
    clientSecret: value.PSC_CLIENT_SECRET || null,
    privateKey,
    redirectUrl: value.PSC_REDIRECT_URL || `${publicUrl}/auth/psc/callback`,
  };
  return { psc, pscLocal: false };
}

function validTimeZone(name: string, variable: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name;
  } catch {
    throw new ConfigError([`${variable}: "${name}" is not a known time zone`]);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the Joi-validated environment
function messagingConfig(value: any, inactivityDays: number) {
  const dkimParts = [value.DKIM_DOMAIN, value.DKIM_SELECTOR, value.DKIM_PRIVATE_KEY];
  if (dkimParts.some(Boolean) && !dkimParts.every(Boolean)) {
    throw new ConfigError(['DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together']);
  }
  const twilioParts = [value.TWILIO_ACCOUNT_SID, value.TWILIO_AUTH_TOKEN, value.TWILIO_FROM];
  if (twilioParts.some(Boolean) && !twilioParts.every(Boolean)) {
    throw new ConfigError(['TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM go together']);
  }
  const reminderDays = String(value.INACTIVITY_REMINDER_DAYS).split(',').map(Number);
  if (reminderDays.some((d, i) => i > 0 && d <= reminderDays[i - 1]!)) {
    throw new ConfigError(['INACTIVITY_REMINDER_DAYS: days must increase, e.g. 30,37,51']);
  }
  if (reminderDays[0]! < inactivityDays) {
    throw new ConfigError([
      'INACTIVITY_REMINDER_DAYS: the first reminder cannot come before INACTIVITY_DAYS',
    ]);
  }
  const [quietStart, quietEnd] = String(value.SMS_QUIET_HOURS).split('-').map(Number);
  const perSecond = value.SMS_RATE_PER_SECOND as number;
  // BullMQ's limiter counts whole jobs per window: 0.5/s is 1 per 2 s.
  const smsRate =
    perSecond >= 1
      ? { smsRateMax: Math.round(perSecond), smsRateMs: 1000 }
      : { smsRateMax: 1, smsRateMs: Math.round(1000 / perSecond) };
  return {
    delivery: {
      smtpUrl: value.SMTP_URL || null,
      smtpPoolSize: value.SMTP_POOL_SIZE,
      mailFrom: value.MAIL_FROM,
      dkim: value.DKIM_DOMAIN
        ? {
            domainName: value.DKIM_DOMAIN,
            keySelector: value.DKIM_SELECTOR,
            privateKey: String(value.DKIM_PRIVATE_KEY).replace(/\\n/g, '\n'),
          }
        : null,
      twilio: value.TWILIO_ACCOUNT_SID
        ? {
            accountSid: value.TWILIO_ACCOUNT_SID,
            authToken: value.TWILIO_AUTH_TOKEN,
            from: value.TWILIO_FROM,
            apiUrl: value.TWILIO_API_URL ? String(value.TWILIO_API_URL).replace(/\/$/, '') : null,
          }
        : null,
      outboxDir: value.OUTBOX_DIR,
    },
    invitations: {
      ttlDays: value.INVITATION_TTL_DAYS,
      maxPerInviterPerDay: value.INVITATION_MAX_PER_INVITER_PER_DAY,
      maxPerTargetPerWeek: value.INVITATION_MAX_PER_TARGET_PER_WEEK,
      quietStartHour: quietStart!,
      quietEndHour: quietEnd!,
      quietTimeZone: validTimeZone(value.SMS_QUIET_TIME_ZONE, 'SMS_QUIET_TIME_ZONE'),
      ...smsRate,
      emailConcurrency: value.EMAIL_CONCURRENCY,
      maxTries: value.INVITATION_MAX_TRIES,
      retryDelayMs: value.INVITATION_RETRY_DELAY_MS,
      sweepAfterSeconds: value.INVITATION_SWEEP_AFTER_SECONDS,
      joinMaxPerIp: value.JOIN_MAX_PER_IP,
      joinMaxInvalidPerIp: value.JOIN_MAX_INVALID_PER_IP,
      joinWindowSeconds: value.JOIN_WINDOW_SECONDS,
    },
    inactivity: {
      scanTime: value.INACTIVITY_SCAN_TIME,
      timeZone: validTimeZone(value.INACTIVITY_TIME_ZONE, 'INACTIVITY_TIME_ZONE'),
      reminderDays,
    },
  };
}
