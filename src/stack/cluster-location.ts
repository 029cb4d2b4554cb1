import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../logger.ts';
import { isAlive } from './pids.ts';
import { readPostmasterPid } from './postmaster.ts';
import { SERVER_ACCOUNT } from './postgres-user.ts';
import { blockingDirectory, makeOpenDirectory, type ServerUser } from './reachability.ts';
import { StackSetupError } from './stack-setup-error.ts';

/**
 * Where a cluster goes when the postgres user cannot reach the data directory: persistent (not a
 * temp dir a cleaner empties), and root's, so no other user can plant files there.
 */
export const CLUSTERS_ROOT = '/var/lib/pipeforge/postgres';

/** The cluster's place in the data directory: the cluster itself, or a link to it. */
export function clusterLink(dataDir: string): string {
  return join(dataDir, 'postgres');
}

/** One stable name per data directory: readable, and unique through a hash of the whole path. */
export function clusterKey(dataDir: string): string {
  const absolute = resolve(dataDir);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  const readable = [basename(dirname(absolute)), basename(absolute)]
    .join('-')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return readable === '' ? hash : `${readable}-${hash}`;
}

/** Each entry holds the cluster and, beside it, the data directory it belongs to. */
export function managedClusterDir(dataDir: string, root = CLUSTERS_ROOT): string {
  return join(root, clusterKey(dataDir), 'cluster');
}

const OWNER_RECORD = 'data-dir';

async function linkTarget(path: string): Promise<string | null> {
  try {
    return resolve(dirname(path), await readlink(path));
  } catch {
    return null;
  }
}

async function isRunning(clusterDir: string): Promise<boolean> {
  const pid = await readPostmasterPid(clusterDir);
  return pid !== null && isAlive(pid);
}

/**
 * An entry is an orphan once its data directory no longer links to it: the directory was deleted
 * (a demo's, a test run's) or started afresh. Its cluster is useless then, as the password that
 * opens it was in that directory's secrets.json.
 */
export async function removeOrphanedClusters(logger: Logger, root = CLUSTERS_ROOT): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  for (const name of names) {
    const entry = join(root, name);
    let owner: string;
    try {
      owner = (await readFile(join(entry, OWNER_RECORD), 'utf8')).trim();
    } catch {
      // Being created right now (the record comes last), or not ours.
      continue;
    }
    const cluster = join(entry, 'cluster');
    if ((await linkTarget(clusterLink(owner))) === cluster || (await isRunning(cluster))) continue;
    logger.info({ cluster, dataDir: owner }, 'removing a PostgreSQL cluster whose data directory is gone');
    await rm(entry, { recursive: true, force: true });
  }
}

/** Deletes the cluster that `dataDir` links to, if it is one this module placed. */
export async function removeManagedCluster(dataDir: string, root = CLUSTERS_ROOT): Promise<void> {
  const managed = managedClusterDir(dataDir, root);
  if ((await linkTarget(clusterLink(dataDir))) === managed) await rm(dirname(managed), { recursive: true, force: true });
}

/** Makes the entry of a managed cluster (without the cluster, which initdb creates), unless it is whole. */
async function ensureEntry(dataDir: string, user: ServerUser, root: string): Promise<void> {
  const entry = dirname(managedClusterDir(dataDir, root));
  if (existsSync(join(entry, OWNER_RECORD))) return;
  await makeOpenDirectory(root);
  const blocker = await blockingDirectory(root, user);
  if (blocker !== null) throw new Error(`${blocker} is not searchable by others`);
  await mkdir(entry, { recursive: true });
  await chmod(entry, 0o755);
  const record = join(entry, `.${OWNER_RECORD}.${randomBytes(4).toString('hex')}`);
  await writeFile(record, `${dataDir}\n`);
  await rename(record, join(entry, OWNER_RECORD));
}

/**
 * The link first, the record last: whoever looks at the root in between sees either an entry
 * without a record (skipped) or a recorded entry its data directory links to (kept).
 */
async function placeOutside(dataDir: string, user: ServerUser, blocker: string, logger: Logger, root: string): Promise<string> {
  const cluster = managedClusterDir(dataDir, root);
  await symlink(cluster, clusterLink(dataDir));
  try {
    // An entry left by an earlier data directory of the same path, whose link is gone: nothing can open it.
    if (await isRunning(cluster)) throw new Error(`a PostgreSQL server is still running on ${cluster}`);
    await rm(dirname(cluster), { recursive: true, force: true });
    await ensureEntry(dataDir, user, root);
  } catch (error) {
    await rm(clusterLink(dataDir), { force: true });
    throw new StackSetupError(
      `PostgreSQL runs as the "${SERVER_ACCOUNT}" user when started as root, which cannot reach ${dataDir} ` +
        `(${blocker} is not searchable by others), and its data cannot go to ${root} either ` +
        `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run \`chmod o+x ${blocker}\`, ` +
        'choose a data directory others can traverse (PIPEFORGE_HOME for `pipeforge dev`), or run as a non-root user',
    );
  }
  logger.info(
    { dataDir, cluster },
    `the ${SERVER_ACCOUNT} user cannot reach ${blocker}, so the PostgreSQL cluster lives in ${cluster}, linked from ${clusterLink(dataDir)}`,
  );
  return cluster;
}

/** The data directory is ours to open for traversal (not listing); its parents are the user's, so they are only checked. */
async function reachableInPlace(dataDir: string, user: ServerUser): Promise<string | null> {
  const blocker = await blockingDirectory(dirname(dataDir), user);
  if (blocker !== null) return blocker;
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o7777) | 0o001);
  return null;
}

async function kindOf(path: string): Promise<'link' | 'directory' | 'missing' | 'other'> {
  try {
    const info = await lstat(path);
    return info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * The directory PostgreSQL is to run on, as a path the server user can reach without passing
 * through the data directory: in it (`<dataDir>/postgres`) when the user can reach that, as
 * before; otherwise in a directory of its own under CLUSTERS_ROOT, linked from there so that the
 * same data directory finds the same cluster on every start. `user` is null when the server runs
 * as ourselves, who can reach anything we were given.
 */
export async function prepareClusterDir(
  dataDir: string,
  user: ServerUser | null,
  logger: Logger,
  root = CLUSTERS_ROOT,
): Promise<string> {
  const inPlace = clusterLink(dataDir);
  if (user === null) return inPlace;
  await removeOrphanedClusters(logger, root);

  const kind = await kindOf(inPlace);
  if (kind === 'link') {
    const target = (await linkTarget(inPlace)) ?? inPlace;
    if (target === managedClusterDir(dataDir, root)) {
      // After a crash between link and record, or a wiped root: the data directory still decides.
      await ensureEntry(dataDir, user, root);
      return target;
    }
    // Someone's own choice (another disk, say): used as it is, if the server user can reach it.
    const blocker = await blockingDirectory(dirname(target), user);
    if (blocker !== null) throw unreachableCluster(inPlace, blocker);
    return target;
  }
  if (kind === 'other') throw new StackSetupError(`${inPlace} is not a directory; move it away and start again`);
  const blocker = await reachableInPlace(dataDir, user);
  if (blocker === null) return inPlace;
  if (kind === 'directory') {
    if (existsSync(join(inPlace, 'PG_VERSION'))) throw unreachableCluster(inPlace, blocker);
    // An initdb that died half-way: nothing in it is worth keeping.
    await rm(inPlace, { recursive: true, force: true });
  }
  return placeOutside(dataDir, user, blocker, logger, root);
}

function unreachableCluster(cluster: string, blocker: string): StackSetupError {
  return new StackSetupError(
    `PostgreSQL runs as the "${SERVER_ACCOUNT}" user when started as root, and that user cannot reach the cluster ` +
      `in ${cluster} because ${blocker} is not searchable by others; run \`chmod o+x ${blocker}\`, or start afresh ` +
      '(`pipeforge dev --fresh`, which deletes the data) to have the cluster placed where it can',
  );
}
