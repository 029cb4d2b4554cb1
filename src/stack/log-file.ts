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

async function readLastRun(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return text.slice(Math.max(0, text.lastIndexOf(RUN_MARKER))).trim();
  } catch {
    return undefined;
  }
}

/** Every server names a taken port this way (Go's net package, PostgreSQL's errno text). */
const PORT_CLASH = /address already in use/i;

/**
 * A local server that did not come up. `portClash` says another process took one of its ports
 * between the moment it was chosen and the server's bind, which choosing other ports fixes.
 */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  readonly portClash: boolean;
  constructor(message: string, portClash: boolean, options?: ErrorOptions) {
    super(message, options);
    this.portClash = portClash;
  }
}

/**
 * Error for a server that did not come up: what went wrong, the first line of its log that names
 * the problem (a Go panic is followed by a goroutine dump longer than the tail), the log tail, and
 * where the whole log is. The run's header line is skipped, as it only repeats the command.
 */
export async function startFailure(name: string, reason: string, logPath: string, cause?: unknown): Promise<ServerStartError> {
  const lastRun = (await readLastRun(logPath)) ?? '';
  const lines = lastRun.split('\n');
  const tail = lastRun === '' ? '(no log output)' : lines.slice(-30).join('\n');
  const firstProblem = lines.slice(1).find((line) => PORT_CLASH.test(line) || /\b(panic|fatal|error)\b/i.test(line));
  const problem = firstProblem && !tail.includes(firstProblem) ? `\nfirst problem in the log: ${firstProblem.trim()}` : '';
  const message = `${name} failed to start: ${reason}${problem}\n--- last lines of ${logPath} ---\n${tail}`;
  return new ServerStartError(message, PORT_CLASH.test(lastRun) || PORT_CLASH.test(reason), { cause });
}
