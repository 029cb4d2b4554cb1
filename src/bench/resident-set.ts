import { readFile } from 'node:fs/promises';

export type ResidentSet = {
  /** VmHWM ("high water mark"): the largest resident set the process ever had. */
  peakBytes: number;
  /** VmRSS: what it holds now. */
  currentBytes: number;
};

/**
 * The resident set fields of a /proc/<pid>/status text, in bytes. Sampling RSS would miss a short
 * spike; the kernel's own maximum does not.
 */
export function parseResidentSet(statusText: string): ResidentSet {
  return { peakBytes: kilobytesField(statusText, 'VmHWM'), currentBytes: kilobytesField(statusText, 'VmRSS') };
}

function kilobytesField(statusText: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(statusText);
  if (!match?.[1]) throw new Error(`no ${name} line in the process status`);
  return Number(match[1]) * 1024;
}

/** Linux only: the benchmark's memory measure is defined by the kernel's accounting. */
export async function readResidentSet(pid: number): Promise<ResidentSet> {
  return parseResidentSet(await readFile(`/proc/${pid}/status`, 'utf8'));
}
