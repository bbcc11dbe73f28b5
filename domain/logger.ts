import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  name?: string;
  /** One readable line per event (pino-pretty) instead of JSON: for a person at a terminal. */
  pretty?: boolean;
}

export function createLogger(
  level: string,
  { name = 'relais', pretty = false }: LoggerOptions = {},
): Logger {
  return pino({
    name,
    level,
    // Tokens and passwords never reach the logs, whatever logs them.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        'password',
        'token',
      ],
      censor: '[redacted]',
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: {
              translateTime: 'SYS:HH:MM:ss',
              ignore: 'pid,hostname,name,req,res,created,started',
            },
          },
        }
      : {}),
  });
}
