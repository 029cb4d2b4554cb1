import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export function logFilePath(dataDir: string, name: string): string {
  return join(dataDir, 'logs', `${name}.log`);
}

const RUN_MARKER = '\n=== ';

/** Marks where a run starts, so the tail shown after a failure never mixes in an earlier run. */
export function runHeader(command: string): string {
  return `${RUN_MARKER}${new Date().toISOString()} ${command}\n`;
}

/** Logs are appended across runs and kept with the data; a header separates the runs. */
export function openLogFile(path: string, command: string): number {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  writeSync(fd, runHeader(command));
  return fd;
}

export function closeLogFile(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing left to release.
  }
}

export async function readLogTail(path: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    const lastRun = text.slice(Math.max(0, text.lastIndexOf(RUN_MARKER)));
    return lastRun.trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

/** Error message for a server that did not come up: what went wrong, the log tail, and where the whole log is. */
export async function startFailure(name: string, reason: string, logPath: string, cause?: unknown): Promise<Error> {
  const tail = await readLogTail(logPath);
  return new Error(`${name} failed to start: ${reason}\n--- last lines of ${logPath} ---\n${tail}`, { cause });
}
