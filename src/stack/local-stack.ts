import { join, resolve } from 'node:path';
import type { Logger } from '../logger.ts';
import { ensureBinary } from './binaries.ts';
import { claimDataDir } from './data-dir.ts';
import { ServerStartError } from './log-file.ts';
import { resolvePorts, type StackPorts } from './ports.ts';
import { startMinioServer, type MinioServer } from './minio-server.ts';
import { startPostgresServer, type PostgresServer } from './postgres-server.ts';
import { loadOrCreateSecrets, type StackSecrets } from './secrets.ts';
import { restartableServer, type ServerControl } from './restartable-server.ts';
import { startTemporalServer, type TemporalServer } from './temporal-server.ts';

export type { ServerControl };

export { readEnvFile, writeEnvFile } from './env-file.ts';
export { deleteDataDir } from './data-dir.ts';
export { StackSetupError } from './stack-setup-error.ts';

export type LocalStackOptions = {
  /** Everything persistent lives here: cluster data, object storage, secrets and logs. */
  dataDir: string;
  /** Delete dataDir first. */
  fresh?: boolean;
  /** Unset entries get free ports. */
  ports?: Partial<StackPorts>;
  /** Default 'pipeforge'. */
  bucket?: string;
  logger: Logger;
};

export type LocalStackEnv = {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_UI_URL: string;
  MINIO_ENDPOINT: string;
  MINIO_ACCESS_KEY: string;
  MINIO_SECRET_KEY: string;
  MINIO_BUCKET: string;
  PIPEFORGE_EMAIL_HASH_KEY: string;
};

export type LocalStack = {
  /** Exactly the variables src/config.ts reads. */
  env: LocalStackEnv;
  adminDatabaseUrl: string;
  minioConsoleUrl: string;
  /**
   * Each server on its own, for fault-injection tests: stopped and started again it keeps its port,
   * data and credentials, so clients reconnect to the same addresses.
   */
  servers: Record<StackServerName, ServerControl>;
  /** Stops all three servers in reverse start order; safe to call more than once. */
  stop(): Promise<void>;
};

export type StackServerName = 'postgres' | 'temporal' | 'minio';

type Stoppable = { stop(): Promise<void> };
type Servers = [PostgresServer, TemporalServer, MinioServer];

/** How to start each server; called once at stack start and again by ServerControl.start(). */
type ServerStarters = {
  postgres(signal?: AbortSignal): Promise<PostgresServer>;
  temporal(signal?: AbortSignal): Promise<TemporalServer>;
  minio(signal?: AbortSignal): Promise<MinioServer>;
};

function serverStarters(
  dataDir: string,
  secrets: StackSecrets,
  bucket: string,
  binaries: { temporal: string; minio: string },
  ports: StackPorts,
  logger: Logger,
): ServerStarters {
  const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {});
  return {
    postgres: (signal) =>
      startPostgresServer({ dataDir, port: ports.postgres, password: secrets.postgresPassword, logger, ...withSignal(signal) }),
    temporal: (signal) =>
      startTemporalServer({
        binary: binaries.temporal,
        dataDir,
        port: ports.temporal,
        uiPort: ports.temporalUi,
        logger,
        ...withSignal(signal),
      }),
    minio: (signal) =>
      startMinioServer({
        binary: binaries.minio,
        dataDir,
        port: ports.minio,
        consolePort: ports.minioConsole,
        accessKey: secrets.minioAccessKey,
        secretKey: secrets.minioSecretKey,
        bucket,
        logger,
        ...withSignal(signal),
      }),
  };
}

export async function provisionBinaries(logger: Logger): Promise<{ temporal: string; minio: string }> {
  // One after the other: go already builds in parallel, and two builds would only fight for CPU.
  const temporal = await ensureBinary('temporal', logger);
  const minio = await ensureBinary('minio', logger);
  return { temporal, minio };
}

async function stopAll(servers: readonly Stoppable[]): Promise<void> {
  const failures: unknown[] = [];
  for (const server of [...servers].reverse()) {
    try {
      await server.stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'some local stack servers failed to stop');
}

async function startServers(starters: ServerStarters, logger: Logger): Promise<Servers> {
  // The first failure aborts the others' health checks, so a broken server fails the start at
  // once instead of after the slowest sibling's timeout.
  const abort = new AbortController();
  const { signal } = abort;
  const failFast = <T>(start: Promise<T>): Promise<T> =>
    start.catch((error: unknown) => {
      if (!signal.aborted) abort.abort(error);
      throw error;
    });
  const [postgres, temporal, minio] = await Promise.allSettled([
    failFast(starters.postgres(signal)),
    failFast(starters.temporal(signal)),
    failFast(starters.minio(signal)),
  ]);
  if (postgres.status === 'fulfilled' && temporal.status === 'fulfilled' && minio.status === 'fulfilled') {
    return [postgres.value, temporal.value, minio.value];
  }
  const started = [postgres, temporal, minio].flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  await stopAll(started).catch((error: unknown) => logger.error({ err: error }, 'cleanup after a failed start failed'));
  throw signal.reason;
}

const START_ATTEMPTS = 3;

/**
 * Free ports are chosen before the servers bind them, so a process starting at the same moment
 * (another stack, a test) can take one in between; the stack then starts again on other ports.
 */
async function startOnFreePorts(
  requested: Partial<StackPorts> | undefined,
  startersFor: (ports: StackPorts) => ServerStarters,
  logger: Logger,
): Promise<{ starters: ServerStarters; servers: Servers }> {
  for (let attempt = 1; ; attempt += 1) {
    const starters = startersFor(await resolvePorts(requested));
    try {
      return { starters, servers: await startServers(starters, logger) };
    } catch (error) {
      if (!(error instanceof ServerStartError && error.portClash) || attempt === START_ATTEMPTS) throw error;
      const reason = error.message.split('\n')[0];
      logger.warn({ attempt, reason }, 'a port was taken while the stack started; trying other ports');
    }
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { logger } = options;
  const startedAt = Date.now();
  // resolve('') is the working directory, which would quietly fill a checkout with cluster files.
  if (options.dataDir.trim() === '') throw new Error('startLocalStack: dataDir must not be empty');
  const dataDir = resolve(options.dataDir);
  const bucket = options.bucket ?? 'pipeforge';
  const releaseDataDir = await claimDataDir(dataDir, options.fresh ?? false);
  let secrets: StackSecrets;
  let starters: ServerStarters;
  let servers: Servers;
  try {
    secrets = await loadOrCreateSecrets(dataDir);
    const binaries = await provisionBinaries(logger);
    const startersFor = (ports: StackPorts) => serverStarters(dataDir, secrets, bucket, binaries, ports, logger);
    ({ starters, servers } = await startOnFreePorts(options.ports, startersFor, logger));
  } catch (error) {
    await releaseDataDir();
    throw error;
  }
  const [postgres, temporal, minio] = servers;
  const controls = {
    postgres: restartableServer(postgres, () => starters.postgres()),
    temporal: restartableServer(temporal, () => starters.temporal()),
    minio: restartableServer(minio, () => starters.minio()),
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const stopStartedAt = Date.now();
      try {
        await stopAll([controls.postgres, controls.temporal, controls.minio]);
      } finally {
        await releaseDataDir();
      }
      logger.info({ dataDir, ms: Date.now() - stopStartedAt }, 'local stack stopped');
    })();
    return stopping;
  };

  const stack: LocalStack = {
    env: {
      DATABASE_URL: postgres.databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_UI_URL: temporal.uiUrl,
      MINIO_ENDPOINT: minio.endpoint,
      MINIO_ACCESS_KEY: secrets.minioAccessKey,
      MINIO_SECRET_KEY: secrets.minioSecretKey,
      MINIO_BUCKET: bucket,
      PIPEFORGE_EMAIL_HASH_KEY: secrets.emailHashKey,
    },
    adminDatabaseUrl: postgres.adminUrl,
    minioConsoleUrl: minio.consoleUrl,
    servers: controls,
    stop,
  };
  logger.info(
    {
      dataDir,
      logs: join(dataDir, 'logs'),
      ms: Date.now() - startedAt,
      temporalUi: temporal.uiUrl,
      minioConsole: minio.consoleUrl,
    },
    'local stack ready',
  );
  return stack;
}
