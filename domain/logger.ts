import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'relais'): Logger {
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
  });
}
