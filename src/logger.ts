import { pino, type DestinationStream, type Logger } from 'pino';
import { loadLogFormat, type LogLevel } from './config.ts';
import { chooseLogFormat, prettyDestination, useColors, type LogFormat } from './log-format/pretty-destination.ts';

export type { Logger };

/** Field names that hold a customer's email or a secret, wherever they appear in a log object. */
const SENSITIVE_KEYS = [
  'email',
  'customerEmail',
  'customer_email',
  'password',
  'secret',
  'secretKey',
  'accessKey',
  'token',
  'apiKey',
  'authorization',
  'emailHashKey',
  'MINIO_SECRET_KEY',
  'MINIO_ACCESS_KEY',
  'PIPEFORGE_EMAIL_HASH_KEY',
];

/** Connection URLs keep their host (useful when a connection fails) but lose their password. */
const URL_KEYS = ['databaseUrl', 'DATABASE_URL', 'connectionString', 'adminDatabaseUrl'];

/** A key at the top level or up to two objects down, e.g. `{ config: { storage: { secretKey } } }`. */
function atAnyDepth(keys: readonly string[]): string[] {
  return keys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
}

export const REDACTED = '[redacted]';
export const REDACTED_EMAIL = '[email]';

/**
 * Keys that could carry a customer's email or a secret are censored wherever they appear, so a
 * careless `log.info({ row })` cannot leak them; a URL keeps everything but its password.
 */
const redact = {
  paths: [...atAnyDepth(SENSITIVE_KEYS), ...atAnyDepth(URL_KEYS)],
  censor: (value: unknown, path: string[]): unknown => {
    const key = path.at(-1) ?? '';
    if (URL_KEYS.includes(key) && typeof value === 'string') return withoutPassword(value);
    return REDACTED;
  },
};

/** Anything shaped like an address, also with the full-width and small forms of '@'. */
const EMAIL_LIKE = /[^\s@\uFF20\uFE6B"'<>()[\]{},;:/*]+[@\uFF20\uFE6B][^\s@\uFF20\uFE6B"'<>()[\]{},;:]+\.[^\s"'<>()[\]{},;:]+/gu;

/** The password of a URL's user info, as a driver's error message may quote a connection string. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/giu;

/**
 * The second line of defence, for values no key name gives away (an error message that quotes a
 * field, a value put in the wrong column): email-like text and URL passwords in the message and
 * in string values are masked before the line is written. Logs are per batch or per stage, never
 * per row, so the scan costs nothing that matters.
 */
export function maskSensitiveText<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replace(URL_PASSWORD, '$1***@').replace(EMAIL_LIKE, REDACTED_EMAIL) as T;
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => maskSensitiveText(item, depth + 1)) as T;
  if (value instanceof Error) {
    // Same class and own fields (message, stack, cause, code...), so serializers see an error.
    const masked = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value)) {
      masked[key] = maskSensitiveText((value as unknown as Record<string, unknown>)[key], depth + 1);
    }
    return masked as T;
  }
  // Dates, buffers, class instances: copying them as plain objects would lose what they are.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[key] = maskSensitiveText(item, depth + 1);
  return result as T;
}

type ErrorLike = { message: string; cause?: unknown };

function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/**
 * pino's own serializer appends every cause's message to the error's, and a failure that wraps
 * an error to carry it across the activity boundary repeats the message it wraps word for word
 * (`a.csv: empty: a.csv: empty`): a cause is appended only when it says something new.
 */
function messageWithNewCauses(error: ErrorLike): string {
  let message = error.message;
  const seen = new Set<unknown>([error]);
  for (let cause = error.cause; isErrorLike(cause) && !seen.has(cause); cause = cause.cause) {
    seen.add(cause);
    if (cause.message !== '' && !message.includes(cause.message)) message = `${message}: ${cause.message}`;
  }
  return message;
}

function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error);
  if (isErrorLike(error) && isErrorLike(serialized)) serialized.message = messageWithNewCauses(error);
  return serialized;
}

function loggerOptions(level: LogLevel, bindings: Record<string, unknown>) {
  return {
    level,
    base: { app: 'pipeforge', ...bindings },
    redact,
    serializers: { err: serializeError },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: Logger['info']) {
        method.apply(this, args.map((arg: unknown) => maskSensitiveText(arg)) as Parameters<typeof method>);
      },
    },
  };
}

export type LoggerOptions = {
  /** Unset: LOG_FORMAT, or text lines when the destination is a terminal and JSON otherwise. */
  format?: LogFormat;
  env?: Record<string, string | undefined>;
};

export function createLogger(
  level: LogLevel = 'info',
  bindings: Record<string, unknown> = {},
  destination: NodeJS.WritableStream = process.stdout,
  options: LoggerOptions = {},
): Logger {
  const env = options.env ?? process.env;
  const format = options.format ?? chooseLogFormat(loadLogFormat(env), destination);
  const stream: DestinationStream =
    format === 'pretty'
      ? prettyDestination(destination, { colors: useColors(destination, env), stacks: level === 'debug' || level === 'trace' })
      : destination;
  return pino(loggerOptions(level, bindings), stream);
}

/**
 * The same destination, level and bindings under another component (`worker`, `stack`), for the
 * parts of one process that a reader tells apart; a pino child would write the key twice.
 */
export function componentLogger(logger: Logger, component: string): Logger {
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  return pino(loggerOptions(logger.level as LogLevel, { ...logger.bindings(), component }), stream);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}
