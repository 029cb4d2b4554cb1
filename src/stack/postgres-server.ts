import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { ensureDatabase } from './databases.ts';
import { loadEmbeddedPostgres } from './embedded-postgres-loader.ts';
import { killOnExit } from './exit-guard.ts';
import { logFilePath, startFailure } from './log-file.ts';
import { LOOPBACK } from './ports.ts';
import { isRoot, makeReachableByPostgresUser } from './postgres-access.ts';
import { readPostmasterPid, shutdownPostmaster, stopOrphanedPostmaster } from './postmaster.ts';

export { createDatabase, dropDatabase } from './databases.ts';

export const POSTGRES_USER = 'postgres';
export const APP_DATABASE = 'pipeforge';

export type PostgresServerOptions = {
  dataDir: string;
  port: number;
  password: string;
  logger: Logger;
  signal?: AbortSignal;
};

export type PostgresServer = {
  /** The maintenance database `postgres`, for creating and dropping databases. */
  adminUrl: string;
  /** The application database `pipeforge`. */
  databaseUrl: string;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
};

const START_TIMEOUT_MS = 60_000;

export function postgresUrl(port: number, password: string, database: string): string {
  return `postgres://${POSTGRES_USER}:${encodeURIComponent(password)}@${LOOPBACK}:${port}/${database}`;
}

export async function startPostgresServer(options: PostgresServerOptions): Promise<PostgresServer> {
  const { dataDir, port, password, logger } = options;
  const clusterDir = join(dataDir, 'postgres');
  const logPath = logFilePath(dataDir, 'postgres');
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  if (isRoot()) await makeReachableByPostgresUser(dataDir);

  // Loaded lazily: the package installs process-wide signal hooks, which only a process that
  // actually runs PostgreSQL should be subject to.
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  log.write(`\n=== ${new Date().toISOString()} postgres -D ${clusterDir} -p ${port}\n`);
  const writeLog = (message: unknown): void => {
    log.write(message instanceof Error ? `${message.stack ?? message.message}\n` : `${String(message)}`);
  };

  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: POSTGRES_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Only as root: otherwise the package tries (and fails) to run groupadd.
    createPostgresUser: isRoot(),
    // UTF-8 with the built-in provider sorts and case-maps the same on every machine, whatever
    // locales the OS happens to have installed.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C'],
    // No Unix socket: its default directory may not exist or be writable, and TCP on loopback is
    // all the stack uses.
    postgresFlags: ['-c', `listen_addresses=${LOOPBACK}`, '-c', 'unix_socket_directories='],
    onLog: writeLog,
    onError: writeLog,
  });

  let pid: number | undefined;
  let release = (): void => {};
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The package's stop() waits for an 'exit' event that never comes if postgres already
      // exited, so it is only told to stop; the pid is what is watched.
      void cluster.stop().catch(() => undefined);
      if (pid !== undefined) await shutdownPostmaster(pid, logger);
      release();
      await new Promise<void>((resolve) => log.end(resolve));
    })();
    return stopping;
  };

  try {
    await stopOrphanedPostmaster(clusterDir, logger);
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
      logger.info({ clusterDir }, 'initialising a new PostgreSQL cluster');
      await cluster.initialise();
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not ready within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    try {
      // The package rejects with no reason when postgres exits early; the log says why.
      await Promise.race([cluster.start().catch(() => Promise.reject(new Error('the server exited'))), timeout]);
    } finally {
      clearTimeout(timer);
    }
    pid = (await readPostmasterPid(clusterDir)) ?? undefined;
    if (pid === undefined) throw new Error(`postgres started but ${clusterDir}/postmaster.pid is unreadable`);
    // SIGQUIT is PostgreSQL's immediate shutdown: unlike SIGKILL it takes its backends with it.
    release = killOnExit(pid, 'SIGQUIT');
    options.signal?.throwIfAborted();
    const adminUrl = postgresUrl(port, password, 'postgres');
    await ensureDatabase(adminUrl, APP_DATABASE);
    logger.debug({ server: 'postgres', pid, port }, 'postgres ready');
    return { adminUrl, databaseUrl: postgresUrl(port, password, APP_DATABASE), pid, logPath, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    if (options.signal?.aborted) throw error;
    throw await startFailure('PostgreSQL', error instanceof Error ? error.message : String(error), logPath, error);
  }
}
