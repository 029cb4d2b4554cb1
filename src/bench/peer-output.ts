/** One step line of the peer: `dlt_orders.py` prints `f"{step:<10} {seconds:8.2f} s  {extra}"`. */
export type PeerStep = { step: string; seconds: number; note: string };

export type PeerOutput = {
  /** In the order printed: sync, (resume,) hash, extract, normalize, load, indexes, rollup, total. */
  steps: PeerStep[];
  /** What its `total` line reports: ru_maxrss of its own process. */
  peakRssBytes: number;
  /** The file's content hash was in the dataset's state already: nothing was loaded. */
  duplicate: boolean;
  /** User + system time of the peer process and everything it waited for, from the wrapper's line. */
  cpuSeconds: number;
};

const RUSAGE_MARKER = 'pipeforge-peer-rusage';

/**
 * Runs the peer as a child and prints, once it has exited, the rusage of its children: the kernel's
 * accounting of everything the peer ran (its threads and any process it waited for), which /proc of
 * a process that has exited no longer gives. Exits with the peer's code.
 */
export const RUSAGE_WRAPPER = [
  'import resource, subprocess, sys',
  'code = subprocess.call(sys.argv[1:])',
  'u = resource.getrusage(resource.RUSAGE_CHILDREN)',
  `print(f"${RUSAGE_MARKER} user={u.ru_utime:.3f} system={u.ru_stime:.3f}", flush=True)`,
  'sys.exit(code if code >= 0 else 128 - code)',
].join('\n');

const STEP_LINE = /^([a-z]+) +(-?\d+\.\d+) s(?: {2}(.*))?$/;
const PEAK_RSS = /peak RSS (\d+) MiB/;
const RUSAGE_LINE = new RegExp(`^${RUSAGE_MARKER} user=(\\d+(?:\\.\\d+)?) system=(\\d+(?:\\.\\d+)?)$`);
const MiB = 1024 * 1024;

/** The peer's stdout (and the wrapper's last line); other lines (dlt's warnings) are skipped. */
export function parsePeerOutput(stdout: string): PeerOutput {
  const steps: PeerStep[] = [];
  let cpuSeconds: number | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    const usage = RUSAGE_LINE.exec(line);
    if (usage) cpuSeconds = Number(usage[1]) + Number(usage[2]);
    const step = STEP_LINE.exec(line);
    if (step?.[1] && step[2]) steps.push({ step: step[1], seconds: Number(step[2]), note: (step[3] ?? '').trim() });
  }
  const duplicate = steps.some((step) => step.step === 'extract' && step.note.startsWith('duplicate of'));
  const total = steps.find((step) => step.step === 'total');
  if (!total) throw new Error('the peer printed no total line');
  const peak = PEAK_RSS.exec(total.note);
  // A duplicate returns before it reads its peak: there is nothing to compare then anyway.
  if (!peak?.[1] && !duplicate) throw new Error(`the peer's total line has no peak RSS: '${total.note}'`);
  if (cpuSeconds === undefined) throw new Error('the peer wrapper printed no rusage line');
  return { steps, peakRssBytes: Number(peak?.[1] ?? 0) * MiB, duplicate, cpuSeconds };
}

/** 'extract 4.60, normalize 1.20, load 3.50': the steps that did the work, as the peer README lists them. */
export function peerStepsSummary(steps: readonly PeerStep[]): string {
  return steps
    .filter((step) => step.step !== 'total')
    .map((step) => `${step.step} ${step.seconds.toFixed(2)}`)
    .join(', ');
}
