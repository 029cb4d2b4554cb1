import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/**
 * Memory settings of the worker process, and the re-exec that applies them. Measured on the
 * 2-core machine: peak RSS (VmHWM) of `node src/worker.ts` against a real stack, running the
 * parse loop (CSV to COPY text, 120,000 lines) inside it a few seconds after start:
 *
 * - `--max-semi-space-size=16` (MB, for both isolates: the workflow thread's too): the parse
 *   otherwise grows the young generation to V8's default maximum. About 70 MB lower peak, for
 *   twice as many scavenges: about 5% more CPU in the parse. 8 MB saved nothing more and cost
 *   more CPU; 32 MB saved 30 MB less.
 * - `--max-old-space-size=1024`: V8 grows the heap less eagerly under a lower limit, so the old
 *   generation is collected sooner: about 30 MB lower peak (512 MB saved a few MB more). 1 GB is
 *   four times the worker's 256 MB RSS budget; four concurrent parses peaked at 296 MB RSS in all
 *   (two 10,000-line batches and the email-hash caches each), so it bounds nothing a healthy worker
 *   needs.
 * - `MALLOC_ARENA_MAX=2`: glibc otherwise gives the native threads (Temporal core's runtime,
 *   libuv, V8's helpers) arenas of their own: about 15 MB lower from the start on.
 *
 * In all: 375 MB peak with that parse before, 260 MB after; 245 MB right after start before (the
 * workflow bundle already built in its own process), 225 MB after.
 *
 * Not used: `--optimize-for-size`. It took the worker from 226 to 188 MB right after start, but in
 * `npm run bench` the worker's CPU for a million-line file went from 26.5 to 59.8 s (84.65 s end
 * to end against 68.41 s), and a five-million-line file still peaked at 259 MiB (1M: 227 MiB).
 * Any setting the operator gave (on the command line, in NODE_OPTIONS or in the environment) wins;
 * PIPEFORGE_WORKER_MEMORY_SETTINGS=1 in the environment skips the re-exec altogether (to compare).
 */
const V8_FLAGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['--max-semi-space-size', '16'],
  ['--max-old-space-size', '1024'],
];
const ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Set in the replaced process: whatever the checks below say, it never replaces itself again. */
const APPLIED_MARKER = 'PIPEFORGE_WORKER_MEMORY_SETTINGS';

const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Replaces this process (same pid, so a supervisor, the bench and the tests still watch the right
 * one; execve also resets VmHWM) with `node <settings> src/worker.ts`, when it is the worker
 * entry and some setting is missing. Node flags must be given at start, and glibc reads its
 * variables at start: only `node src/worker.ts` itself is guaranteed to run on every path (npm
 * script, bench, tests, container), so it applies them for itself.
 * A no-op where process.execve is missing (Windows, older Node): the worker then runs as before.
 */
export function applyWorkerMemorySettings(): void {
  if (!isMainThread || !isWorkerEntry() || process.env[APPLIED_MARKER]) return;
  if (typeof process.execve !== 'function') return;
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  const flags = V8_FLAGS.filter(([name]) => !given.some((arg) => isFlag(arg, name))).map(([name, value]) => `${name}=${value}`);
  const missingEnvironment = Object.entries(ENVIRONMENT).filter(([name]) => process.env[name] === undefined);
  if (flags.length === 0 && missingEnvironment.length === 0) return;
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    ...Object.fromEntries(missingEnvironment),
    [APPLIED_MARKER]: '1',
  });
}

function isWorkerEntry(): boolean {
  const main = process.argv[1];
  return main !== undefined && resolve(main) === WORKER_ENTRY;
}

/** Node accepts both `--max-old-space-size=N` and `--max_old_space_size=N`. */
function isFlag(arg: string, name: string): boolean {
  const normalized = arg.split('=')[0]?.replaceAll('_', '-');
  return normalized === name;
}

applyWorkerMemorySettings();
