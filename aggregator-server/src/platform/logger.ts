import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths that could carry a secret. Request bodies are never logged, but any object that reaches a log
 * line through an error or a debug statement passes through this list first.
 */
const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.code',
  '*.ticket',
  '*.token',
  '*.authToken',
  '*.secret',
  'password',
  'code',
  'ticket',
  'token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'switchboard-server' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
