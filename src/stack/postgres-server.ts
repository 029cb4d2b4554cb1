import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { databaseExists, ensureDatabase } from './databases.ts';
import { loadEmbeddedPostgres, postgresBinary } from './embedded-postgres-loader.ts';
import { logFilePath, runHeader, startFailure } from './log-file.ts';
import { startFailureReason, startManagedProcess, type ManagedProcess } from './managed-process.ts';
import { LOOPBACK } from './ports.ts';
import { isRoot, makeReachableByPostgresUser } from './postgres-access.ts';
import { stopOrphanedPostmaster } from './postmaster.ts';
import { waitUntil } from './wait.ts';

/**
 * A load writes a few hundred MB of rows and indexes in seconds. With the defaults (128 MB of
 * buffers, a checkpoint every 1 GB of WAL) the indexes no longer fit in memory half-way through a
 * million-line file and checkpoints interrupt it; these keep a large load in memory and unbroken.
 */
const BULK_LOAD_SETTINGS = ['shared_buffers=1GB', 'max_wal_size=4GB', 'checkpoint_timeout=15min'];

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

const READY_TIMEOUT_MS = 60_000;

export function postgresUrl(port: number, password: string, database: string): string {
  return `postgres://${POSTGRES_USER}:${encodeURIComponent(password)}@${LOOPBACK}:${port}/${database}`;
}

/** initdb through embedded-postgres, which also creates the `postgres` OS user when run as root. */
async function initialiseCluster(clusterDir: string, password: string, logPath: string, logger: Logger): Promise<void> {
  logger.info({ clusterDir }, 'initialising a new PostgreSQL cluster');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  log.write(runHeader(`initdb -D ${clusterDir}`));
  const writeLog = (message: unknown): void => {
    log.write(message instanceof Error ? `${message.stack ?? message.message}\n` : String(message));
  };
  try {
    await new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: POSTGRES_USER,
      password,
      authMethod: 'scram-sha-256',
      // Only as root: otherwise the package tries (and fails) to run groupadd.
      createPostgresUser: isRoot(),
      // UTF-8 with the built-in provider sorts and case-maps the same on every machine, whatever
      // locales the OS happens to have installed.
      initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C'],
      onLog: writeLog,
      onError: writeLog,
    }).initialise();
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

/**
 * The server is run directly rather than through embedded-postgres's start(), whose child cannot
 * be tied to our lifetime or kept out of the terminal's Ctrl-C, and whose stop() waits forever
 * once the server has exited on its own.
 */
export async function startPostgresServer(options: PostgresServerOptions): Promise<PostgresServer> {
  const { dataDir, port, password, logger } = options;
  const clusterDir = join(dataDir, 'postgres');
  const logPath = logFilePath(dataDir, 'postgres');
  const adminUrl = postgresUrl(port, password, 'postgres');
  await mkdir(join(dataDir, 'logs'), { recursive: true });

  let server: ManagedProcess | undefined;
  try {
    if (isRoot()) await makeReachableByPostgresUser(dataDir);
    await stopOrphanedPostmaster(clusterDir, logger);
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initialiseCluster(clusterDir, password, logPath, logger);
    // PostgreSQL must run as the owner of its data directory, and never as root.
    const owner = isRoot() ? await stat(clusterDir) : undefined;
    server = await startManagedProcess({
      name: 'postgres',
      command: await postgresBinary(),
      args: [
        ...['-D', clusterDir, '-p', String(port), '-c', `listen_addresses=${LOOPBACK}`],
        // No Unix socket: its default directory may not exist or be writable, and TCP on
        // loopback is all the stack uses.
        ...['-c', 'unix_socket_directories='],
        ...BULK_LOAD_SETTINGS.flatMap((setting) => ['-c', setting]),
      ],
      env: { LC_MESSAGES: 'C' },
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      // SIGINT is the fast shutdown (SIGTERM would wait for clients to leave); SIGQUIT, the
      // immediate one, still takes the backends down with the postmaster, unlike SIGKILL.
      stopSignals: ['SIGINT', 'SIGQUIT', 'SIGKILL'],
      orphanSignal: 'SIGQUIT',
      logPath,
      logger,
    });
    const signal = AbortSignal.any([server.exitSignal, ...(options.signal ? [options.signal] : [])]);
    await waitUntil(() => databaseExists(adminUrl, 'postgres'), {
      what: `PostgreSQL at ${LOOPBACK}:${port}`,
      timeoutMs: READY_TIMEOUT_MS,
      signal,
    });
    await ensureDatabase(adminUrl, APP_DATABASE);
    logger.debug({ server: 'postgres', pid: server.pid, port }, 'postgres ready');
    const databaseUrl = postgresUrl(port, password, APP_DATABASE);
    return { adminUrl, databaseUrl, pid: server.pid, logPath, stop: server.stop };
  } catch (error) {
    await server?.stop();
    if (options.signal?.aborted) throw error;
    throw await startFailure('PostgreSQL', startFailureReason(server, error), logPath, error);
  }
}
