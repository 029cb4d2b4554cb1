import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.ts';

const WORKER_ENTRY = fileURLToPath(new URL('../../src/worker.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One pino JSON line of the worker's stdout. */
export type WorkerLogLine = { msg?: string; level?: number } & Record<string, unknown>;

export type WorkerProcess = {
  pid: number;
  /** Every JSON line the worker printed so far, in order. */
  readonly logs: readonly WorkerLogLine[];
  /** Non-JSON output (stderr, crash traces), for failure messages. */
  readonly rawOutput: string;
  /** Resolves with the first log line matching, or rejects after timeoutMs. */
  waitForLog(match: (line: WorkerLogLine) => boolean, timeoutMs?: number): Promise<WorkerLogLine>;
  /** SIGKILL: no graceful shutdown, no last heartbeat, the connections drop as they are. */
  kill(): Promise<void>;
  /** SIGTERM and wait: the graceful shutdown a deployment would do. */
  stop(): Promise<void>;
};

export type WorkerProcessEnv = {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_TASK_QUEUE: string;
  MINIO_ENDPOINT: string;
  MINIO_ACCESS_KEY: string;
  MINIO_SECRET_KEY: string;
  MINIO_BUCKET: string;
  PIPEFORGE_EMAIL_HASH_KEY: string;
  LOG_LEVEL?: string;
};

const running = new Set<ChildProcess>();

/**
 * The production worker entry point (`node src/worker.ts`) as a real child process, configured
 * only through its environment, so a test can kill it the way an OOM killer or a lost VM would.
 * Resolves once the worker reports it is polling its task queue.
 */
export async function startWorkerProcess(env: WorkerProcessEnv, startTimeoutMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    cwd: PROJECT_ROOT,
    // Only what the worker reads (plus PATH/HOME), so nothing of the test's own setup leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = once(child, 'exit').finally(() => running.delete(child));
  const logs: WorkerLogLine[] = [];
  let rawOutput = '';
  const listeners = new Set<() => void>();

  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as WorkerLogLine);
      } catch {
        rawOutput += `${line}\n`;
      }
    }
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    rawOutput += chunk;
  });

  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const listener of listeners) listener();
  });

  const waitForLog = async (match: (line: WorkerLogLine) => boolean, timeoutMs = 60_000): Promise<WorkerLogLine> => {
    const found = () => logs.find(match);
    return waitFor(
      async () => {
        const line = found();
        if (line) return line;
        if (hasExited) throw new Error(`worker ${child.pid} exited before logging the awaited line:\n${rawOutput}`);
        return undefined;
      },
      { what: 'a worker log line', timeoutMs, intervalMs: 50 },
    );
  };

  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the worker: ${rawOutput}`);
  const worker: WorkerProcess = {
    pid,
    get logs() {
      return logs;
    },
    get rawOutput() {
      return rawOutput;
    },
    waitForLog,
    async kill() {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!hasExited) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitForLog((line) => line.msg === 'worker started', startTimeoutMs);
  } catch (error) {
    await worker.kill();
    throw error;
  }
  return worker;
}

/** For afterAll: no worker process outlives its test file, whatever happened in it. */
export async function killAllWorkerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}
