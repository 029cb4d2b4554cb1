import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function logFilePath(dataDir: string, name: string): string {
  return join(dataDir, 'logs', `${name}.log`);
}

/**
 * Opens the log for appending and marks where this run starts, so the tail shown after a failure
 * cannot be mistaken for an earlier run's output.
 */
export function openLogFile(path: string, header: string): number {
  mkdirSync(join(path, '..'), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  writeSync(fd, `\n=== ${new Date().toISOString()} ${header}\n`);
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
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

/** Error message for a server that did not come up: what went wrong, the log tail, and where the whole log is. */
export async function startFailure(name: string, reason: string, logPath: string, cause?: unknown): Promise<Error> {
  const tail = await readLogTail(logPath);
  return new Error(`${name} failed to start: ${reason}\n--- last lines of ${logPath} ---\n${tail}`, { cause });
}
