import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createPool, sql, type DatabasePool } from 'slonik';
import { createLogger } from '../../src/logger.ts';
import {
  clusterLink,
  managedClusterDir,
  prepareClusterDir,
  removeManagedCluster,
  removeOrphanedClusters,
} from '../../src/stack/cluster-location.ts';
import { deleteDataDir } from '../../src/stack/data-dir.ts';
import { resolvePorts } from '../../src/stack/ports.ts';
import { startPostgresServer, type PostgresServer } from '../../src/stack/postgres-server.ts';
import { ensurePostgresUser, isRoot } from '../../src/stack/postgres-user.ts';
import { blockingDirectory, type ServerUser } from '../../src/stack/reachability.ts';
import { StackSetupError } from '../../src/stack/stack-setup-error.ts';

const logger = createLogger('warn', { test: 'postgres-private-dir' });

/** What mkdtemp makes: a directory of mode 700, like root's home. */
async function privateDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  expect((await stat(dir)).mode & 0o777).toBe(0o700);
  return dir;
}

async function withPool<T>(url: string, work: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const pool = await createPool(url, { maximumPoolSize: 1 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

function tableExists(url: string, name: string): Promise<boolean> {
  return withPool(url, (pool) => pool.exists(sql.unsafe`select 1 from pg_tables where tablename = ${name}`));
}

/** The real and effective uid of a process, from procfs. */
async function uidOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

describe('PostgreSQL with its data directory under a private (mode 700) directory', () => {
  let parent: string;
  let dataDir: string;
  let server: PostgresServer | undefined;
  const password = 'a-password-for-this-test-only';

  beforeAll(async () => {
    parent = await privateDir('pipeforge-private-');
    dataDir = join(parent, 'data');
    await mkdir(dataDir);
  });

  afterAll(async () => {
    await server?.stop();
    await deleteDataDir(dataDir);
    await rm(parent, { recursive: true, force: true });
  });

  it('starts, accepts queries and keeps its data across a restart', async () => {
    const { postgres: port } = await resolvePorts();
    server = await startPostgresServer({ dataDir, port, password, logger });
    await withPool(server.databaseUrl, (pool) => pool.query(sql.unsafe`create table kept (id int)`));
    expect(await tableExists(server.databaseUrl, 'kept')).toBe(true);

    const running = server;
    if (isRoot()) {
      const user = await ensurePostgresUser();
      // As root the server runs as the postgres user, from binaries and a cluster that user can reach.
      expect(await uidOf(running.pid)).toBe(user.uid);
      const executable = await readlink(`/proc/${running.pid}/exe`);
      expect(await blockingDirectory(dirname(executable), user)).toBeNull();
      expect(executable.startsWith(parent)).toBe(false);
      const cluster = managedClusterDir(dataDir);
      expect(await readlink(clusterLink(dataDir))).toBe(cluster);
      expect(await blockingDirectory(cluster, user)).toBeNull();
      expect((await stat(cluster)).uid).toBe(user.uid);
      expect((await stat(parent)).mode & 0o777).toBe(0o700);
    } else {
      // As anyone else nothing moves: the server runs as us, on the cluster in the data directory.
      expect(await uidOf(running.pid)).toBe(process.getuid?.());
      expect((await stat(clusterLink(dataDir))).isDirectory()).toBe(true);
    }

    await running.stop();
    server = undefined;
    server = await startPostgresServer({ dataDir, port, password, logger });
    expect(await tableExists(server.databaseUrl, 'kept')).toBe(true);
    await server.stop();
    server = undefined;

    await deleteDataDir(dataDir);
    expect(existsSync(dataDir)).toBe(false);
    if (isRoot()) expect(existsSync(dirname(managedClusterDir(dataDir)))).toBe(false);
  });
});

describe('where the cluster goes for a server user that is not us', () => {
  // Any account other than ours: the placement only reads permission bits, it runs nothing as it.
  const other: ServerUser = { uid: (process.getuid?.() ?? 0) + 4242, gid: (process.getgid?.() ?? 0) + 4242 };
  let scratch: string;
  let root: string;

  beforeAll(async () => {
    // Not under TMPDIR, which may itself be private: these cases need a chain every user can pass.
    scratch = await mkdtemp('/tmp/pipeforge-placement-');
    await chmod(scratch, 0o755);
    root = join(scratch, 'clusters');
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  async function dataDirUnder(mode: number, name: string): Promise<string> {
    const parentDir = join(scratch, name);
    await mkdir(parentDir);
    await chmod(parentDir, mode);
    const dataDir = join(parentDir, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    return dataDir;
  }

  it('keeps the cluster in a data directory the user can reach, opening only that directory', async () => {
    const dataDir = await dataDirUnder(0o755, 'open');
    expect(await prepareClusterDir(dataDir, other, logger, root)).toBe(clusterLink(dataDir));
    expect((await stat(dataDir)).mode & 0o777).toBe(0o701);
    expect(existsSync(root)).toBe(false);
  });

  it('places it outside a private directory, at the same place on every start, and leaves the private one closed', async () => {
    const dataDir = await dataDirUnder(0o700, 'private');
    const cluster = await prepareClusterDir(dataDir, other, logger, root);
    expect(cluster).toBe(managedClusterDir(dataDir, root));
    expect(await readlink(clusterLink(dataDir))).toBe(cluster);
    expect(await blockingDirectory(dirname(cluster), other)).toBeNull();
    expect(await readFile(join(dirname(cluster), 'data-dir'), 'utf8')).toBe(`${dataDir}\n`);
    expect((await stat(dirname(dataDir))).mode & 0o777).toBe(0o700);
    await mkdir(cluster);
    await writeFile(join(cluster, 'PG_VERSION'), '18\n');

    expect(await prepareClusterDir(dataDir, other, logger, root)).toBe(cluster);
    expect(existsSync(join(cluster, 'PG_VERSION'))).toBe(true);

    await removeManagedCluster(dataDir, root);
    expect(existsSync(dirname(cluster))).toBe(false);
  });

  it('removes a placed cluster once its data directory is deleted, and no other', async () => {
    const gone = await dataDirUnder(0o700, 'gone');
    const kept = await dataDirUnder(0o700, 'kept');
    const goneCluster = await prepareClusterDir(gone, other, logger, root);
    const keptCluster = await prepareClusterDir(kept, other, logger, root);

    await rm(dirname(gone), { recursive: true });
    await removeOrphanedClusters(logger, root);

    expect(existsSync(dirname(goneCluster))).toBe(false);
    expect(existsSync(dirname(keptCluster))).toBe(true);
  });

  it('stops with one line naming the directory and the fix when an existing cluster cannot be reached', async () => {
    const dataDir = await dataDirUnder(0o700, 'existing');
    await mkdir(clusterLink(dataDir));
    await writeFile(join(clusterLink(dataDir), 'PG_VERSION'), '18\n');

    const failure = await prepareClusterDir(dataDir, other, logger, root).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StackSetupError);
    const message = (failure as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`chmod o+x ${dirname(dataDir)}`);
    expect(existsSync(join(clusterLink(dataDir), 'PG_VERSION'))).toBe(true);
  });
});
