import { isMainThread } from 'node:worker_threads';

/**
 * Memory settings of the worker process, each of which lowers its peak resident set while it
 * parses (BENCHMARKS.md, "Worker memory settings", has the measurements):
 *
 * - `--max-semi-space-size=8` (MB, for every isolate: the workflow thread's and each parse
 *   thread's too, as V8 flags are per process): the parse otherwise grows the young generation to
 *   V8's default maximum, in each parse thread at once. The price is more frequent scavenges;
 *   while the parse ran on the main thread a size below 16 saved nothing more and cost CPU, but
 *   with a young generation per parse thread the smaller one saves in each of them.
 * - `--max-old-space-size=1024`: V8 grows the heap less eagerly under a lower limit, so the old
 *   generation is collected sooner. The limit is well above the worker's resident-set budget and
 *   above what concurrent parses at their largest batches need, so it bounds nothing a healthy
 *   worker uses.
 * - `MALLOC_ARENA_MAX=2`: glibc otherwise gives the native threads (Temporal core's runtime,
 *   libuv, V8's helpers) arenas of their own.
 *
 * Not used: `--optimize-for-size`. It lowers the resident set after start, but more than doubles
 * the worker's CPU time on a big file, and the peak still grows with the file's size.
 * Any setting the operator gave (on the command line, in NODE_OPTIONS or in the environment) wins;
 * PIPEFORGE_WORKER_MEMORY_SETTINGS=1 in the environment skips the re-exec altogether (to compare).
 */
const V8_FLAGS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['--max-semi-space-size', '8'],
  ['--max-old-space-size', '1024'],
];
const ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Set in the replaced process: whatever the checks below say, it never replaces itself again. */
const APPLIED_MARKER = 'PIPEFORGE_WORKER_MEMORY_SETTINGS';

/**
 * Replaces this process, when some setting is missing, with the same command line plus the
 * settings (same pid, so a supervisor, the bench and the tests still watch the right one; execve
 * also resets VmHWM). Node flags must be given at start, and glibc reads its variables at start:
 * only the worker entry (`node src/worker.ts`) is guaranteed to run on every path (npm script,
 * bench, tests, container), so it calls this for itself, first thing. Only a process entry may
 * call it: it re-runs the process's own command line.
 * A no-op where process.execve is missing (Windows, older Node): the worker then runs as before.
 */
export function applyWorkerMemorySettings(): void {
  if (!isMainThread || process.env[APPLIED_MARKER]) return;
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

/** Node accepts both `--max-old-space-size=N` and `--max_old_space_size=N`. */
function isFlag(arg: string, name: string): boolean {
  const normalized = arg.split('=')[0]?.replaceAll('_', '-');
  return normalized === name;
}
