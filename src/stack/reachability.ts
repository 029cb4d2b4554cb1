import { chmod, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

/** The identity a server runs with. A spawn with a uid drops the supplementary groups, so only these count. */
export type ServerUser = { uid: number; gid: number };

export type Ownership = { mode: number; uid: number; gid: number };

const SEARCH = 0o1;
const READ = 0o4;

/** The kernel's rule: the owner's bits if the user owns it, else the group's if in its group, else the others'. */
function bitsFor(entry: Ownership, user: ServerUser): number {
  if (entry.uid === user.uid) return (entry.mode >> 6) & 0o7;
  if (entry.gid === user.gid) return (entry.mode >> 3) & 0o7;
  return entry.mode & 0o7;
}

export function canSearch(entry: Ownership, user: ServerUser): boolean {
  return (bitsFor(entry, user) & SEARCH) !== 0;
}

/** The same bit on a file: whether the user may execute it. */
export const canExecute = canSearch;

export function canRead(entry: Ownership, user: ServerUser): boolean {
  return (bitsFor(entry, user) & READ) !== 0;
}

/** `/a/b/c` → `['/', '/a', '/a/b', '/a/b/c']`: every directory a lookup of the path passes through. */
export function pathChain(absolutePath: string): string[] {
  const chain: string[] = [];
  for (let dir = absolutePath; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) return chain;
  }
}

/** The first directory of the chain that the user cannot pass through, or null if none. */
export function firstUnsearchable(chain: ReadonlyArray<{ path: string } & Ownership>, user: ServerUser): string | null {
  return chain.find((entry) => !canSearch(entry, user))?.path ?? null;
}

/**
 * Where `user` is stopped on the way to the directory `path` (including `path` itself), or null
 * when it can reach it. ACLs are not consulted, so the answer errs on the side of "unreachable".
 */
export async function blockingDirectory(path: string, user: ServerUser): Promise<string | null> {
  const chain = await Promise.all(
    pathChain(await realpath(path)).map(async (dir) => ({ path: dir, ...(await stat(dir)) })),
  );
  return firstUnsearchable(chain, user);
}

/** Creates `dir` and opens each directory it had to create for others to pass (the umask may not have). */
export async function makeOpenDirectory(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true });
  if (firstCreated === undefined) return;
  for (const created of pathChain(dir).filter((path) => !relative(firstCreated, path).startsWith('..'))) {
    await chmod(created, 0o755);
  }
}
