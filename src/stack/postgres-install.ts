import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger.ts';
import { cacheDir } from './binaries.ts';
import { linkTree } from './link-tree.ts';
import { binariesIn, ensureExecutable, findPostgresPackage, type PostgresBinaries, type PostgresPackage } from './postgres-package.ts';
import { SERVER_ACCOUNT } from './postgres-user.ts';
import { blockingDirectory, makeOpenDirectory, type ServerUser } from './reachability.ts';
import { StackSetupError } from './stack-setup-error.ts';

/** Root's own cache is usually under /root (mode 700); this one is where root keeps caches for others. */
export const SYSTEM_POSTGRES_CACHE = '/var/cache/pipeforge/postgres';

const MANIFEST = '.pipeforge-complete';

/** One directory per package version and platform, so an upgrade never runs against old files. */
export function installationName(pkg: Pick<PostgresPackage, 'version'>, platform: string, arch: string): string {
  return `${pkg.version}-${platform}-${arch}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function nearestExisting(path: string): Promise<string> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      await stat(dir);
      return dir;
    } catch (error) {
      if (dir === dirname(dir)) throw error;
    }
  }
}

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** The first candidate that `user` can reach: the project's cache, else the system's. */
async function installRoot(user: ServerUser): Promise<string> {
  const problems: string[] = [];
  for (const candidate of [join(cacheDir(), 'postgres'), SYSTEM_POSTGRES_CACHE]) {
    try {
      // Checked before creating anything, so as not to leave an empty directory where it cannot serve.
      let blocker = await blockingDirectory(await nearestExisting(candidate), user);
      if (blocker === null) {
        await makeOpenDirectory(candidate);
        blocker = await blockingDirectory(candidate, user);
      }
      if (blocker === null) return candidate;
      problems.push(`${candidate}: ${blocker} is not searchable by others`);
    } catch (error) {
      problems.push(`${candidate}: ${reasonOf(error)}`);
    }
  }
  throw new StackSetupError(
    `PostgreSQL runs as the "${SERVER_ACCOUNT}" user when started as root and needs its binaries where that user ` +
      `can reach them, but no place is usable (${problems.join('; ')}); set PIPEFORGE_CACHE_DIR to a directory ` +
      'others can traverse, or run as a non-root user',
  );
}

async function isComplete(dir: string): Promise<boolean> {
  let entries: unknown;
  try {
    entries = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
  } catch {
    return false;
  }
  if (!Array.isArray(entries)) return false;
  try {
    // A cleaner that removed a few old files must not leave a server without its timezone data.
    await Promise.all(entries.map((entry) => lstat(join(dir, String(entry)))));
    return true;
  } catch {
    return false;
  }
}

/** Renames the finished copy into place; a concurrent start that got there first with a whole copy wins. */
async function moveIntoPlace(staged: string, target: string): Promise<void> {
  try {
    await rename(staged, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  if (await isComplete(target)) return;
  const stale = `${target}.stale-${randomBytes(4).toString('hex')}`;
  await rename(target, stale);
  await rm(stale, { recursive: true, force: true });
  await rename(staged, target);
}

async function install(pkg: PostgresPackage, root: string, target: string, user: ServerUser, logger: Logger): Promise<void> {
  logger.info({ from: pkg.nativeDir, to: target }, `copying the PostgreSQL binaries where the ${SERVER_ACCOUNT} user can reach them (once per version)`);
  const staged = await mkdtemp(join(root, '.incomplete-'));
  try {
    const entries = await linkTree(pkg.nativeDir, staged, user);
    await writeFile(join(staged, MANIFEST), `${JSON.stringify(entries)}\n`);
    await chmod(staged, 0o755);
    await moveIntoPlace(staged, target);
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

/**
 * The binaries to run the server with. As root the server runs as another user, who may not be
 * able to reach node_modules (a checkout under /root, or any directory of mode 700), so it gets
 * its own copy, made once per version where that user can reach it. Otherwise the package's own.
 */
export async function postgresBinaries(user: ServerUser | null, logger: Logger): Promise<PostgresBinaries> {
  const pkg = await findPostgresPackage();
  if (user === null) {
    const binaries = binariesIn(pkg.nativeDir);
    await ensureExecutable(binaries);
    return binaries;
  }
  const root = await installRoot(user);
  const target = join(root, installationName(pkg, process.platform, process.arch));
  if (!(await isComplete(target))) await install(pkg, root, target, user, logger);
  return binariesIn(target);
}
