import { chmod, copyFile, link, mkdir, readdir, readlink, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { canExecute, canRead, type ServerUser } from './reachability.ts';

const DIR_MODE = 0o755;

/**
 * Reproduces `source` under the new directory `target` so that `user` can read every file and run
 * every executable: a hard link where the file already allows that and the filesystem is the same
 * (no space used), a copy with readable modes otherwise. Symbolic links are kept as they are (the
 * package's are relative). Returns the relative paths it created, in creation order.
 */
export async function linkTree(source: string, target: string, user: ServerUser): Promise<string[]> {
  const created: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(source, relative), { withFileTypes: true })) {
      const path = join(relative, entry.name);
      const from = join(source, path);
      const to = join(target, path);
      if (entry.isDirectory()) {
        await mkdir(to);
        // Explicitly, as the umask may be stricter than the mode asked for.
        await chmod(to, DIR_MODE);
        created.push(path);
        await walk(path);
      } else if (entry.isSymbolicLink()) {
        await symlink(await readlink(from), to);
        created.push(path);
      } else if (entry.isFile()) {
        await linkOrCopy(from, to, user);
        created.push(path);
      }
    }
  };
  await walk('');
  return created;
}

async function linkOrCopy(from: string, to: string, user: ServerUser): Promise<void> {
  const info = await stat(from);
  const executable = (info.mode & 0o111) !== 0;
  if (canRead(info, user) && (!executable || canExecute(info, user))) {
    try {
      await link(from, to);
      return;
    } catch (error) {
      // EXDEV (another filesystem), EPERM (protected hard links): a copy does as well.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
    }
  }
  await copyFile(from, to);
  await chmod(to, executable ? 0o755 : 0o644);
}
