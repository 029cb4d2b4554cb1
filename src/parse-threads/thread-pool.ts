import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseOnThread, type ThreadHealth, type ThreadLogger } from './parse-on-thread.ts';
import type { ParseJob, StagedReport } from './protocol.ts';

/**
 * The worker's parse threads. One parse activity's reading is CPU-bound and would otherwise hold
 * the event loop that every activity shares, so a worker parsing several parts of a file at once
 * still used one core. Each thread reads one job at a time; a job waits for a free thread, which
 * also bounds how many parses hold a batch in memory at once.
 */
export type ParseThreadPool = {
  /**
   * Reads the job's source on a free thread (waiting for one first) into staging, yielding each
   * batch once it is written; `signal` stops the reading early (parse-on-thread.ts).
   */
  parse(job: ParseJob, log: ThreadLogger, signal?: AbortSignal): AsyncGenerator<StagedReport, void, undefined>;
  /** Ends every thread; a parse still running fails. */
  close(): Promise<void>;
};

/** One thread per core by default: the reading is pure CPU. */
export function defaultParseThreads(): number {
  return availableParallelism();
}

/** An idle thread is ended after this long, giving its memory back; a later parse starts a new one. */
const IDLE_MS = 30_000;

type PooledThread = { worker: Worker; idleTimer?: NodeJS.Timeout | undefined };

export function createParseThreadPool(size: number = defaultParseThreads()): ParseThreadPool {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('a parse thread pool needs at least one thread');
  const idle: PooledThread[] = [];
  const all = new Set<PooledThread>();
  const waiting: Array<(thread: PooledThread) => void> = [];

  const spawn = (): PooledThread => {
    const worker = new Worker(new URL('./thread-entry.ts', import.meta.url));
    // A parse in progress is an activity the worker awaits anyway; an idle thread must not keep
    // the process alive.
    worker.unref();
    const thread: PooledThread = { worker };
    all.add(thread);
    return thread;
  };
  const retire = (thread: PooledThread): void => {
    clearTimeout(thread.idleTimer);
    all.delete(thread);
    const at = idle.indexOf(thread);
    if (at >= 0) idle.splice(at, 1);
    void thread.worker.terminate();
  };
  const acquire = (): Promise<PooledThread> => {
    const free = idle.pop();
    if (free !== undefined) {
      clearTimeout(free.idleTimer);
      return Promise.resolve(free);
    }
    if (all.size < size) return Promise.resolve(spawn());
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (thread: PooledThread, health: ThreadHealth): void => {
    if (health.broken) {
      retire(thread);
      const next = waiting.shift();
      if (next !== undefined) next(spawn());
      return;
    }
    const next = waiting.shift();
    if (next !== undefined) return next(thread);
    thread.idleTimer = setTimeout(() => retire(thread), IDLE_MS).unref();
    idle.push(thread);
  };

  return {
    async *parse(job, log, signal) {
      const thread = await acquire();
      const health: ThreadHealth = { broken: false };
      try {
        yield* parseOnThread(thread.worker, job, log, health, signal);
      } finally {
        release(thread, health);
      }
    },
    async close() {
      await Promise.all([...all].map((thread) => {
        clearTimeout(thread.idleTimer);
        return thread.worker.terminate();
      }));
      all.clear();
      idle.length = 0;
    },
  };
}
