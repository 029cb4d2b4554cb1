import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/**
 * Keys that could carry a customer's email or a secret are censored wherever they appear, so a
 * careless `log.info({ row })` cannot leak them.
 */
const REDACTED_PATHS = [
  'email',
  'customerEmail',
  'customer_email',
  '*.email',
  '*.customerEmail',
  '*.customer_email',
  '*.*.email',
  '*.*.customerEmail',
  '*.*.customer_email',
  'password',
  'secretKey',
  'accessKey',
  'emailHashKey',
  '*.password',
  '*.secretKey',
  '*.accessKey',
  '*.emailHashKey',
];

export function createLogger(
  level: LogLevel = 'info',
  bindings: Record<string, unknown> = {},
  destination: NodeJS.WritableStream = process.stdout,
): Logger {
  return pino(
    {
      level,
      base: { app: 'pipeforge', ...bindings },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
