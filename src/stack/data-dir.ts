import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeManagedCluster } from './cluster-location.ts';
import { isAlive } from './pids.ts';
import { readSecrets } from './secrets.ts';

const MARKER = '.pipeforge-stack';
const OWNER = 'stack.pid';

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

async function readOwner(dataDir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(join(dataDir, OWNER), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Two stacks on one directory would corrupt it (and `fresh` would delete a running one's data). */
async function assertNotInUse(dataDir: string): Promise<void> {
  const owner = await readOwner(dataDir);
  if (owner === null || !isAlive(owner)) return;
  throw new Error(
    `${dataDir} is in use by a local stack running in process ${owner}; stop it first, or use another ` +
      `data directory (if process ${owner} is not a PipeForge stack, delete ${join(dataDir, OWNER)})`,
  );
}

async function writeOwner(dataDir: string): Promise<void> {
  const path = join(dataDir, OWNER);
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Left by a run that died, unless another start claimed it just now.
    await assertNotInUse(dataDir);
    await writeFile(path, `${process.pid}\n`);
  }
}

/**
 * Takes the data directory for this process and returns the release. `fresh` deletes
 * recursively, so it only deletes a directory this module created (it carries a marker file): a
 * mistyped path must not cost someone their home directory.
 */
export async function claimDataDir(dataDir: string, fresh: boolean): Promise<() => Promise<void>> {
  await assertNotInUse(dataDir);
  const marked = existsSync(join(dataDir, MARKER));
  if (fresh && !marked && !(await isEmptyOrMissing(dataDir))) {
    throw new Error(`Refusing to delete ${dataDir}: it is not empty and was not created as a PipeForge data directory`);
  }
  if (fresh) await deleteDataDir(dataDir);
  await mkdir(dataDir, { recursive: true });
  await writeOwner(dataDir);
  if (!marked || fresh) {
    await writeFile(join(dataDir, MARKER), 'Data of the PipeForge local stack; safe to delete when it is stopped.\n');
  }

  // The cluster's password was fixed at initdb; without the file that recorded it, nothing can log in.
  if (existsSync(join(dataDir, 'postgres', 'PG_VERSION')) && (await readSecrets(dataDir)) === null) {
    await releaseDataDir(dataDir);
    throw new Error(
      `${dataDir} holds a PostgreSQL cluster but not the secrets.json that records its password; ` +
        'restore that file or start with a fresh data directory',
    );
  }
  return () => releaseDataDir(dataDir);
}

async function releaseDataDir(dataDir: string): Promise<void> {
  if ((await readOwner(dataDir)) === process.pid) await rm(join(dataDir, OWNER), { force: true });
}

/**
 * Deletes a stopped stack's data, including a PostgreSQL cluster placed outside the directory
 * because its server user could not reach it (see cluster-location.ts); a plain `rm -r` would
 * delete only the link to it (a later start removes such a cluster).
 */
export async function deleteDataDir(dataDir: string): Promise<void> {
  await removeManagedCluster(dataDir);
  await rm(dataDir, { recursive: true, force: true });
}
