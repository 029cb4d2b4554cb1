import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Logger } from '../logger.ts';
import { killOnExit } from './exit-guard.ts';
import { closeLogFile, openLogFile } from './log-file.ts';

export type ManagedProcessOptions = {
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  logPath: string;
  logger: Logger;
};

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export type ManagedProcess = {
  name: string;
  pid: number;
  logPath: string;
  /** Settles when the process has exited, for whatever reason. */
  exited: Promise<ExitInfo>;
  /** Aborted as soon as the process exits, so health checks stop waiting for a dead server. */
  exitSignal: AbortSignal;
  /** SIGTERM, then SIGKILL after the grace period. Safe to call more than once. */
  stop(): Promise<void>;
};

const STOP_GRACE_MS = 10_000;

/**
 * On Linux `setpriv --pdeathsig` makes the kernel kill the server when this process dies, which
 * covers the one case no exit handler can: being killed with SIGKILL. It execs in place, so the
 * pid we hold is the server's.
 */
const PDEATHSIG_WRAPPER = process.platform === 'linux' && existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : null;

export async function startManagedProcess(options: ManagedProcessOptions): Promise<ManagedProcess> {
  const { name, logger, logPath } = options;
  const fd = openLogFile(logPath, `${options.command} ${options.args.join(' ')}`);
  const [command, args] = PDEATHSIG_WRAPPER
    ? [PDEATHSIG_WRAPPER, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
    : [options.command, [...options.args]];

  // The log fd is handed to the child directly: no pipe through us that could fill up or break.
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...options.env },
      detached: false,
    });
  } finally {
    closeLogFile(fd);
  }

  let hasExited = false;
  let release = (): void => {};
  const exitController = new AbortController();
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      release();
      exitController.abort(new Error(`${name} exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`));
      resolve({ code, signal });
    });
  });
  await once(child, 'spawn');
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: spawn returned no pid`);
  if (!hasExited) release = killOnExit(pid);
  logger.debug({ server: name, pid, logPath }, 'server process started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        logger.warn({ server: name, pid }, `server did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
        child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return { name, pid, logPath, exited, exitSignal: exitController.signal, stop };
}

/** Why a start failed: a server that exited says so, which is more useful than the probe's timeout. */
export function startFailureReason(server: ManagedProcess | undefined, error: unknown): string {
  const exit = server?.exitSignal.aborted ? server.exitSignal.reason : undefined;
  const cause = exit ?? error;
  return cause instanceof Error ? cause.message : String(cause);
}
