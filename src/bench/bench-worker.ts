import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { killOnExit } from '../stack/exit-guard.ts';
import { PROJECT_ROOT, WORKER_ENTRY } from './node-entry.ts';
import { readResidentSet, type ResidentSet } from './resident-set.ts';

export type BenchWorker = {
  pid: number;
  /** Once the worker reported it started: bundling the workflows at start-up is in its peak already. */
  atStart: ResidentSet;
  /** Reads VmHWM, then stops the worker gracefully; safe to call more than once. */
  stop(): Promise<{ peakRssBytes: number }>;
};

const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
/** Kept for the error message of a worker that dies: its last words, not its whole log. */
const TAIL_LINES = 30;

/**
 * `node src/worker.ts` as its own process with the stack's environment, as it runs in production,
 * so its memory is its own. Resolves once it logs 'worker started'.
 */
export async function startBenchWorker(env: NodeJS.ProcessEnv): Promise<BenchWorker> {
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    cwd: PROJECT_ROOT,
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start a worker process');
  const releaseGuard = killOnExit(pid);
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    releaseGuard();
  });

  // Read both pipes to the end whatever they hold: a full pipe would stall the worker's logging.
  const tail: string[] = [];
  let started = false;
  let pending = '';
  const remember = (line: string) => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      remember(line);
      if (!started && isStartedLine(line)) started = true;
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').forEach(remember));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!started) {
    if (hasExited) throw new Error(`worker ${pid} exited before it started:\n${tail.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${pid} did not start within ${START_TIMEOUT_MS / 1000} s:\n${tail.join('\n')}`);
    }
    await sleep(50);
  }
  const atStart = await readResidentSet(pid);

  let stopping: Promise<{ peakRssBytes: number }> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (hasExited) throw new Error(`worker ${pid} died during the bench:\n${tail.join('\n')}`);
      const { peakBytes: peakRssBytes } = await readResidentSet(pid);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited.finally(() => clearTimeout(timer));
      return { peakRssBytes };
    })();
    return stopping;
  };
  return { pid, atStart, stop };
}

function isStartedLine(line: string): boolean {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === 'worker started';
  } catch {
    return false;
  }
}
