import Joi from 'joi';

/**
 * Attachment settings (issue 11, docs/attachments.md), validated at boot with the rest of
 * the configuration (domain/config.ts merges these keys).
 */
export interface S3Settings {
  /** null: AWS itself; else any S3-compatible endpoint (MinIO, Garage, Ceph, s3rver). */
  endpoint: string | null;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /**
   * Silence after which a write is given up (default 5 s): a dead store answers 503 fast.
   * Tests whose in-process store shares a loaded CPU with a 200 MB stream raise it.
   */
  silenceTimeoutMs?: number;
}

export interface AttachmentsConfig {
  storage: { kind: 'fs'; dir: string } | ({ kind: 's3' } & S3Settings);
  /** `unix:/run/clamav/clamd.ctl` or `tcp://clamav:3310`; null: no antivirus (refused in production). */
  clamavUrl: string | null;
  /** Images, documents, audio. */
  maxBytes: number;
  videoMaxBytes: number;
  maxPixels: number;
  /** Bytes one account may upload per rolling 24 hours (429 beyond). */
  dailyBytesPerAccount: number;
  /** Largest body of one upload request (a chunk); the client sends smaller ones. */
  chunkMaxBytes: number;
  /** Lifetime of a signed file URL. */
  urlTtlSeconds: number;
  /** HMAC key of signed file URLs: the same on every server node. */
  urlSecret: string;
  /** Uploads never attached to a sent message are deleted after this. */
  unattachedTtlHours: number;
  /** Debian tools; null: looked up in PATH when the worker starts. */
  ffmpegPath: string | null;
  pdftoppmPath: string | null;
  /** Files processed at once by one worker process. */
  workerConcurrency: number;
}

/** The development signing key: fine on a laptop, refused in production. */
export const DEV_FILES_URL_SECRET = 'dev-files-url-secret-change-me-0123456789';

const MB = 1024 * 1024;

export const attachmentKeys = {
  ATTACHMENTS_STORAGE: Joi.string().valid('fs', 's3').default('fs'),
  ATTACHMENTS_DIR: Joi.string().default('var/attachments'),
  S3_ENDPOINT: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .allow(''),
  S3_REGION: Joi.string().max(64).default('us-east-1'),
  S3_BUCKET: Joi.string()
    .pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .allow(''),
  S3_ACCESS_KEY_ID: Joi.string().max(200).allow(''),
  S3_SECRET_ACCESS_KEY: Joi.string().max(500).allow(''),
  S3_FORCE_PATH_STYLE: Joi.string().valid('true', 'false', '').default('true'),
  CLAMAV_URL: Joi.string()
    .pattern(/^(unix:\/.+|tcp:\/\/[^/\s:]+:\d{1,5})$/)
    .allow('')
    .messages({
      'string.pattern.base':
        '"{{#label}}" must look like unix:/run/clamav/clamd.ctl or tcp://host:3310',
    }),
  ATTACHMENT_MAX_MB: Joi.number().min(0.01).max(2048).default(25),
  ATTACHMENT_VIDEO_MAX_MB: Joi.number().min(0.01).max(4096).default(200),
  ATTACHMENT_MAX_MEGAPIXELS: Joi.number().min(1).max(1000).default(50),
  ATTACHMENT_DAILY_MB: Joi.number().min(1).max(1_000_000).default(2048),
  ATTACHMENT_CHUNK_MAX_MB: Joi.number().min(0.1).max(4096).default(64),
  ATTACHMENT_URL_TTL_SECONDS: Joi.number().integer().min(10).max(86400).default(900),
  FILES_URL_SECRET: Joi.string().min(32).max(500).allow(''),
  ATTACHMENT_UNATTACHED_TTL_HOURS: Joi.number().min(0.01).max(720).default(24),
  FFMPEG_PATH: Joi.string().allow(''),
  PDFTOPPM_PATH: Joi.string().allow(''),
  ATTACHMENT_WORKER_CONCURRENCY: Joi.number().integer().min(1).max(64).default(2),
};

/** Throws a list of problems (the caller wraps them in a ConfigError). */
export function attachmentsConfig(
  // biome-ignore lint/suspicious/noExplicitAny: the Joi-validated environment
  value: any,
  mode: 'development' | 'test' | 'production',
): { attachments: AttachmentsConfig; problems: string[] } {
  const problems: string[] = [];
  let storage: AttachmentsConfig['storage'];
  if (value.ATTACHMENTS_STORAGE === 's3') {
    for (const key of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      if (!value[key]) problems.push(`${key} is required with ATTACHMENTS_STORAGE=s3`);
    }
    storage = {
      kind: 's3',
      endpoint: value.S3_ENDPOINT || null,
      region: value.S3_REGION,
      bucket: value.S3_BUCKET,
      accessKeyId: value.S3_ACCESS_KEY_ID,
      secretAccessKey: value.S3_SECRET_ACCESS_KEY,
      forcePathStyle: value.S3_FORCE_PATH_STYLE !== 'false',
    };
  } else {
    storage = { kind: 'fs', dir: value.ATTACHMENTS_DIR };
  }
  // Unset or empty (compose passes `${FILES_URL_SECRET:-}`): the development key, refused below
  // in production with a message naming the variable.
  const urlSecret: string = value.FILES_URL_SECRET || DEV_FILES_URL_SECRET;
  if (mode === 'production') {
    if (!value.CLAMAV_URL) {
      problems.push(
        'CLAMAV_URL is required in production: no file is served without an antivirus scan',
      );
    }
    if (urlSecret === DEV_FILES_URL_SECRET) {
      problems.push('FILES_URL_SECRET is required in production (32 characters or more)');
    }
  }
  return {
    problems,
    attachments: {
      storage,
      clamavUrl: value.CLAMAV_URL || null,
      maxBytes: Math.round(value.ATTACHMENT_MAX_MB * MB),
      videoMaxBytes: Math.round(value.ATTACHMENT_VIDEO_MAX_MB * MB),
      maxPixels: Math.round(value.ATTACHMENT_MAX_MEGAPIXELS * 1_000_000),
      dailyBytesPerAccount: Math.round(value.ATTACHMENT_DAILY_MB * MB),
      chunkMaxBytes: Math.round(value.ATTACHMENT_CHUNK_MAX_MB * MB),
      urlTtlSeconds: value.ATTACHMENT_URL_TTL_SECONDS,
      urlSecret,
      unattachedTtlHours: value.ATTACHMENT_UNATTACHED_TTL_HOURS,
      ffmpegPath: value.FFMPEG_PATH || null,
      pdftoppmPath: value.PDFTOPPM_PATH || null,
      workerConcurrency: value.ATTACHMENT_WORKER_CONCURRENCY,
    },
  };
}
