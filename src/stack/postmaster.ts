import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';
import { isAlive } from './pids.ts';

const FAST_SHUTDOWN_GRACE_MS = 10_000;
const IMMEDIATE_SHUTDOWN_GRACE_MS = 5_000;

export async function readPostmasterPid(clusterDir: string): Promise<number | null> {
  try {
    const firstLine = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n', 1)[0];
    const pid = Number(firstLine);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/**
 * SIGINT is PostgreSQL's fast shutdown: it disconnects clients, where SIGTERM would wait for them.
 * SIGQUIT (immediate) comes before SIGKILL because it also takes the backends down.
 */
export async function shutdownPostmaster(pid: number, logger: Logger): Promise<void> {
  signal(pid, 'SIGINT');
  if (await waitForExit(pid, FAST_SHUTDOWN_GRACE_MS)) return;
  logger.warn({ server: 'postgres', pid }, 'postgres did not stop in time; requesting immediate shutdown');
  signal(pid, 'SIGQUIT');
  if (await waitForExit(pid, IMMEDIATE_SHUTDOWN_GRACE_MS)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, IMMEDIATE_SHUTDOWN_GRACE_MS);
}

async function commandLineOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    // No procfs (macOS): ask ps.
  }
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'args=', '-p', String(pid)]);
    return stdout.trim();
  } catch {
    return '';
  }
}

/**
 * Where the kernel cannot tie the server to our lifetime (no setpriv, e.g. macOS), a postmaster
 * outlives a parent killed with SIGKILL and keeps the cluster locked. Called once this process
 * owns the data directory, so a postmaster still running on the cluster can only be such an orphan.
 */
export async function stopOrphanedPostmaster(clusterDir: string, logger: Logger): Promise<void> {
  const pid = await readPostmasterPid(clusterDir);
  if (pid === null || !isAlive(pid)) return;
  // The pid file may be stale and its pid reused by an unrelated process.
  if (!(await commandLineOf(pid)).includes(clusterDir)) return;
  logger.warn({ server: 'postgres', pid, clusterDir }, 'stopping a PostgreSQL left running by a run that died');
  await shutdownPostmaster(pid, logger);
}
