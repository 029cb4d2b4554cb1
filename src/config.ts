import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isKnownTimeZone } from './domain/zone-time.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_TASK_QUEUE } from './workflows/task-queue.ts';

/**
 * Configuration comes only from the environment. Each concern has its own schema so that a
 * command asks only for what it uses: `pipeforge files` needs no MinIO credentials, and
 * `pipeforge ingest` needs no database.
 */

type Env = Record<string, string | undefined>;

const timeZone = z.string().refine(isKnownTimeZone, { message: 'is not an IANA time zone such as Africa/Nairobi' });

const databaseSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// connection URL' }),
  PIPEFORGE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(8),
});

const temporalSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_UI_URL: z.string().optional(),
});

const storageSchema = z.object({
  MINIO_ENDPOINT: z.url({ message: 'must be a URL such as http://127.0.0.1:9000' }),
  MINIO_ACCESS_KEY: z.string().min(3),
  MINIO_SECRET_KEY: z.string().min(8),
  MINIO_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid S3 bucket name' })
    .default('pipeforge'),
});

/**
 * A file is parsed in parts of about this many bytes, each an activity any worker may take. Large
 * enough that a part's fixed costs (its own download, header read and activity) stay small beside
 * its rows; small enough that a file worth spreading has several.
 */
const DEFAULT_PARSE_RANGE_BYTES = 16 * 1024 * 1024;

const pipelineSchema = z.object({
  PIPEFORGE_EMAIL_HASH_KEY: z.string().min(16, { message: 'must be a secret of at least 16 characters' }),
  PIPEFORGE_SOURCE_TZ: timeZone.default('UTC'),
  PIPEFORGE_BUSINESS_TZ: timeZone.default('UTC'),
  PIPEFORGE_MAX_REJECT_RATIO: z.coerce.number().min(0).max(1).default(0.05),
  PIPEFORGE_PARSE_RANGE_BYTES: z.coerce.number().int().min(1).default(DEFAULT_PARSE_RANGE_BYTES),
  PIPEFORGE_REVERT_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  PIPEFORGE_PARSE_THREADS: z.coerce.number().int().min(1).max(64).optional(),
});

const loggingSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: text lines on a terminal, JSON anywhere else. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

const cacheSchema = z.object({
  PIPEFORGE_CACHE_DIR: z.string().min(1).optional(),
});

const metricsSchema = z.object({
  PIPEFORGE_METRICS_PORT: z.coerce.number().int().min(1).max(65534).optional(),
  PIPEFORGE_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

export type DatabaseConfig = { url: string; poolSize: number };
export type TemporalConfig = { address: string; namespace: string; taskQueue: string; uiUrl: string | undefined };
export type StorageConfig = {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
};
export type PipelineConfig = {
  emailHashKey: string;
  sourceTimeZone: string;
  businessTimeZone: string;
  maxRejectRatio: number;
  /** About how many bytes of a file one parse activity reads (see DEFAULT_PARSE_RANGE_BYTES). */
  parseRangeBytes: number;
  /** Files loaded longer ago than this many days refuse to revert; unset: no limit. */
  revertRetentionDays?: number | undefined;
  /** Threads a worker parses on, so at most this many parses at once; unset: one per core. */
  parseThreads?: number | undefined;
};
export type LogLevel = z.infer<typeof loggingSchema>['LOG_LEVEL'];

export type WorkerConfig = {
  database: DatabaseConfig;
  temporal: TemporalConfig;
  storage: StorageConfig;
  pipeline: PipelineConfig;
  logLevel: LogLevel;
};

export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const parsed = parseEnv(databaseSchema, env);
  return { url: parsed.DATABASE_URL, poolSize: parsed.PIPEFORGE_DB_POOL_SIZE };
}

export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  const parsed = parseEnv(temporalSchema, env);
  return {
    address: parsed.TEMPORAL_ADDRESS,
    namespace: parsed.TEMPORAL_NAMESPACE,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    uiUrl: parsed.TEMPORAL_UI_URL,
  };
}

export function loadStorageConfig(env: Env = process.env): StorageConfig {
  const parsed = parseEnv(storageSchema, env);
  const url = new URL(parsed.MINIO_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  return {
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: parsed.MINIO_ACCESS_KEY,
    secretKey: parsed.MINIO_SECRET_KEY,
    bucket: parsed.MINIO_BUCKET,
  };
}

export function loadPipelineConfig(env: Env = process.env): PipelineConfig {
  const parsed = parseEnv(pipelineSchema, env);
  return {
    emailHashKey: parsed.PIPEFORGE_EMAIL_HASH_KEY,
    sourceTimeZone: parsed.PIPEFORGE_SOURCE_TZ,
    businessTimeZone: parsed.PIPEFORGE_BUSINESS_TZ,
    maxRejectRatio: parsed.PIPEFORGE_MAX_REJECT_RATIO,
    parseRangeBytes: parsed.PIPEFORGE_PARSE_RANGE_BYTES,
    revertRetentionDays: parsed.PIPEFORGE_REVERT_RETENTION_DAYS,
    parseThreads: parsed.PIPEFORGE_PARSE_THREADS,
  };
}

/**
 * The worker's metrics and health endpoint (`/metrics`, `/healthz`, `/readyz`): off unless
 * PIPEFORGE_METRICS_PORT is set. Temporal's own worker metrics are exported on the next port, on
 * loopback only, and served merged into `/metrics`.
 */
export type MetricsConfig = { host: string; port: number } | null;

export function loadMetricsConfig(env: Env = process.env): MetricsConfig {
  const parsed = parseEnv(metricsSchema, env);
  return parsed.PIPEFORGE_METRICS_PORT === undefined ? null : { host: parsed.PIPEFORGE_METRICS_HOST, port: parsed.PIPEFORGE_METRICS_PORT };
}

export function loadLogLevel(env: Env = process.env): LogLevel {
  return parseEnv(loggingSchema, env).LOG_LEVEL;
}

export type RequestedLogFormat = z.infer<typeof loggingSchema>['LOG_FORMAT'];

export function loadLogFormat(env: Env = process.env): RequestedLogFormat {
  return parseEnv(loggingSchema, env).LOG_FORMAT;
}

/** Where built binaries, workflow bundles and bench files are kept between runs, outside the repo. */
export function loadCacheDir(env: Env = process.env): string {
  return resolve(parseEnv(cacheSchema, env).PIPEFORGE_CACHE_DIR ?? join(homedir(), '.cache', 'pipeforge'));
}

/** Everything the worker needs; every problem is reported at once rather than one per restart. */
export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const problems: string[] = [];
  const attempt = <T>(load: (e: Env) => T): T | undefined => {
    try {
      return load(env);
    } catch (error) {
      if (error instanceof ConfigError) {
        problems.push(...error.problems);
        return undefined;
      }
      throw error;
    }
  };
  const database = attempt(loadDatabaseConfig);
  const temporal = attempt(loadTemporalConfig);
  const storage = attempt(loadStorageConfig);
  const pipeline = attempt(loadPipelineConfig);
  const logLevel = attempt(loadLogLevel);
  if (!database || !temporal || !storage || !pipeline || !logLevel) throw new ConfigError(problems);
  return { database, temporal, storage, pipeline, logLevel };
}

function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  // Empty strings are treated as unset so that `FOO= pipeforge ...` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  // Messages name the variable and the rule, never the value: some of these are secrets.
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const isMissing = issue.code === 'invalid_type' && cleaned[variable] === undefined;
    return isMissing ? `${variable} is not set` : `${variable} ${issue.message}`;
  });
  throw new ConfigError(problems);
}
