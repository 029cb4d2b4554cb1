import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../logger.ts';
import { killOnExit } from './exit-guard.ts';
import { closeLogFile, openLogFile } from './log-file.ts';
import { parentDeathWrapper } from './parent-death.ts';

export type ManagedProcessOptions = {
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  /** Run as this user and group (PostgreSQL, which refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Sent in turn by stop(), each after the previous one was given the grace period. */
  stopSignals?: readonly NodeJS.Signals[];
  /** Sent if this process exits or dies without stopping the server. */
  orphanSignal?: NodeJS.Signals;
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
  /** Sends the stop signals until the process exits. Safe to call more than once. */
  stop(): Promise<void>;
};

const STOP_GRACE_MS = 10_000;

export async function startManagedProcess(options: ManagedProcessOptions): Promise<ManagedProcess> {
  const { name, logger, logPath } = options;
  const stopSignals = options.stopSignals ?? ['SIGTERM', 'SIGKILL'];
  const orphanSignal = options.orphanSignal ?? 'SIGKILL';
  const wrapper = parentDeathWrapper();
  const [command, args] = wrapper
    ? [wrapper, ['--pdeathsig', orphanSignal.replace(/^SIG/, ''), '--', options.command, ...options.args]]
    : [options.command, [...options.args]];

  // The log fd is handed to the child directly: no pipe through us that could fill up or break.
  const fd = openLogFile(logPath, `${options.command} ${options.args.join(' ')}`);
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...options.env },
      // In its own process group a server does not get the terminal's Ctrl-C, so the CLI can shut
      // its worker down before the servers go. Only when the kernel will still take the server
      // down with us: otherwise the shared group is the best remaining tie.
      detached: wrapper !== null,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
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
  if (!hasExited) release = killOnExit(pid, orphanSignal);
  logger.debug({ server: name, pid, logPath }, 'server process started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const [index, signal] of stopSignals.entries()) {
        if (hasExited) return;
        if (index > 0) {
          logger.warn({ server: name, pid, signal }, `server did not stop within ${STOP_GRACE_MS / 1000} s`);
        }
        child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
        clearTimeout(timer);
      }
      await exited;
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
