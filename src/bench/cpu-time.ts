import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';

/** Where a big file's CPU went: the limit a faster pipeline on this machine would run into. */
export type CpuUse = {
  /** Cores of the machine. */
  cores: number;
  /** Busy time of all cores together while the file went through (every process, the kernel's too). */
  machineBusySeconds: number;
  /** Of that, the worker process's: all its threads (the parse, the workflow thread, Temporal's core). */
  workerSeconds: number;
};

/** Linux reports process times in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * utime + stime of a /proc/<pid>/stat text, in seconds. The command name in parentheses may hold
 * spaces and parentheses itself, so the fields are counted from the last ')'.
 */
export function parseProcessCpuSeconds(statText: string): number {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // After the name: state (field 3 of proc(5)), ..., utime (field 14), stime (field 15).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no utime/stime in the process stat');
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Every core's busy time since boot, summed: user, nice, system and interrupt time. */
function machineBusySeconds(): number {
  const milliseconds = cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
  return milliseconds / 1000;
}

async function processCpuSeconds(pid: number): Promise<number> {
  return parseProcessCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** Runs `use` and returns the CPU the machine and the worker `workerPid` spent meanwhile. */
export async function measureCpuUse<T>(workerPid: number, use: () => Promise<T>): Promise<{ value: T; cpu: CpuUse }> {
  const machineBefore = machineBusySeconds();
  const workerBefore = await processCpuSeconds(workerPid);
  const value = await use();
  const workerSeconds = (await processCpuSeconds(workerPid)) - workerBefore;
  return { value, cpu: { cores: cpus().length, machineBusySeconds: machineBusySeconds() - machineBefore, workerSeconds } };
}

/**
 * Runs `use` and returns the busy core-seconds of the whole machine meanwhile, for a process whose
 * own CPU time comes from elsewhere (the peer's, from its wrapper's rusage once it has exited).
 */
export async function measureMachineBusy<T>(use: () => Promise<T>): Promise<{ value: T; cores: number; busySeconds: number }> {
  const before = machineBusySeconds();
  const value = await use();
  return { value, cores: cpus().length, busySeconds: machineBusySeconds() - before };
}
