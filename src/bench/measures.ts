import type { CpuUse } from './cpu-time.ts';
import type { BenchResults } from './bench-results.ts';

export type Verdict = 'pass' | 'fail' | 'not measured';
export type Measure = { measure: string; target: string; result: string; verdict: Verdict };

/** The targets of the performance issue (#5). */
export const TARGETS = {
  oneMillionRows: 1_000_000,
  oneMillionSeconds: 40,
  peakRssMiB: 256,
  /** "No growth with file size": the largest file's peak within this fraction of the smallest's. */
  rssGrowth: 0.1,
  warmSmallSeconds: 3,
  reaggregateSeconds: 1,
  concurrencyRatio: 0.7,
} as const;

const MiB = 1024 * 1024;

export function evaluateMeasures(results: BenchResults): Measure[] {
  return [oneMillion(results), peakRss(results), warmSmall(results), reaggregate(results), concurrency(results)];
}

/** Those of issue #5 that the later issue (#12) does not restate: measures-issue12.ts has the rest. */
export function earlierMeasures(results: BenchResults): Measure[] {
  return [oneMillion(results), concurrency(results)];
}

function oneMillion({ sizes }: BenchResults): Measure {
  const measure = '1,000,000-line file, ingest start to completed, aggregates included';
  const target = `≤ ${TARGETS.oneMillionSeconds} s`;
  const size = sizes.find((candidate) => candidate.rows === TARGETS.oneMillionRows);
  if (!size) return { measure, target, result: 'not run (1000000 not in --sizes)', verdict: 'not measured' };
  return { measure, target, result: seconds(size.endToEndSeconds), verdict: verdict(size.endToEndSeconds <= TARGETS.oneMillionSeconds) };
}

function peakRss({ sizes }: BenchResults): Measure {
  const measure = `worker peak RSS while ingesting ${sizes.map((size) => rowsLabel(size.rows)).join(' and ')} lines`;
  const target = `≤ ${TARGETS.peakRssMiB} MiB, no growth with file size (largest ≤ smallest + ${TARGETS.rssGrowth * 100}%)`;
  const bySize = [...sizes].sort((a, b) => a.rows - b.rows);
  const smallest = bySize[0];
  const largest = bySize.at(-1);
  if (!smallest || !largest) return { measure, target, result: 'no size run', verdict: 'not measured' };
  const peaks = bySize.map((size) => `${rowsLabel(size.rows)}: ${mib(size.peakRssBytes)}`).join(', ');
  const withinCap = bySize.every((size) => size.peakRssBytes <= TARGETS.peakRssMiB * MiB);
  if (smallest === largest) return { measure, target, result: `${peaks} (growth needs two sizes)`, verdict: verdict(withinCap) };
  const growth = (largest.peakRssBytes - smallest.peakRssBytes) / smallest.peakRssBytes;
  return {
    measure,
    target,
    result: `${peaks} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%)`,
    verdict: verdict(withinCap && growth <= TARGETS.rssGrowth),
  };
}

export function warmSmall({ warmSmall: result }: BenchResults): Measure {
  return {
    measure: `${result.rows.toLocaleString('en-US')}-line file with a warm worker, \`ingest --wait\` start to done`,
    target: `≤ ${TARGETS.warmSmallSeconds} s`,
    result: seconds(result.endToEndSeconds),
    verdict: verdict(result.endToEndSeconds <= TARGETS.warmSmallSeconds),
  };
}

export function reaggregate({ reaggregate: result }: BenchResults): Measure {
  const days = result.daysAggregated === 1 ? '' : ` (it touched ${result.daysAggregated} days, not 1)`;
  return {
    measure: 're-aggregating one day after a file that touched only that day',
    target: `≤ ${TARGETS.reaggregateSeconds} s`,
    result: `${seconds(result.aggregateSeconds)}${days}`,
    verdict: verdict(result.aggregateSeconds <= TARGETS.reaggregateSeconds && result.daysAggregated === 1),
  };
}

function concurrency({ concurrency: result }: BenchResults): Measure {
  const target = `total ≤ ${TARGETS.concurrencyRatio} × one worker processing them in turn`;
  if (!result) {
    return { measure: 'ten 100,000-line files at once, two worker processes', target, result: 'not run (--skip-concurrency)', verdict: 'not measured' };
  }
  const ratio = result.twoWorkersSeconds / result.oneWorkerSeconds;
  // A quick run with smaller files still says what it measured, under its own name.
  const measure = `${countWord(result.files)} ${result.rowsPerFile.toLocaleString('en-US')}-line files at once, two worker processes`;
  return {
    measure,
    target,
    result: `${seconds(result.twoWorkersSeconds)} vs ${seconds(result.oneWorkerSeconds)} in turn = ${ratio.toFixed(2)} ×`,
    verdict: verdict(ratio <= TARGETS.concurrencyRatio),
  };
}

function countWord(count: number): string {
  return count === 10 ? 'ten' : String(count);
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'pass' : 'fail';
}

export function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

/** Busy core-seconds against what the cores could give over the same wall time, and whose they were. */
export function cpuSentence(cpu: CpuUse, wallSeconds: number, names: CpuNames = WORKER_CPU_NAMES): string {
  const available = cpu.cores * wallSeconds;
  const share = available > 0 ? Math.round((100 * cpu.machineBusySeconds) / available) : 0;
  const others = Math.max(0, cpu.machineBusySeconds - cpu.workerSeconds);
  return (
    `${cpu.machineBusySeconds.toFixed(1)} of ${available.toFixed(1)} core-seconds busy ` +
    `(${share} % of ${cpu.cores} cores over ${seconds(wallSeconds)}): ${names.process} ${cpu.workerSeconds.toFixed(1)}, ` +
    `${names.others} ${others.toFixed(1)}`
  );
}

/** Whose the measured process's CPU is, and whose the rest of the machine's busy time. */
export type CpuNames = { process: string; others: string };
export const WORKER_CPU_NAMES: CpuNames = {
  process: 'the worker process',
  others: 'everything else (PostgreSQL, Temporal, MinIO, the CLI)',
};
/** While the peer runs no worker does: Temporal and MinIO sit idle, the rest is PostgreSQL's. */
export const PEER_CPU_NAMES: CpuNames = { process: "the peer's Python process", others: 'everything else (PostgreSQL; Temporal, MinIO idle)' };

export function mib(bytes: number): string {
  return `${Math.round(bytes / MiB)} MiB`;
}

/** 1000000 → '1M', 100000 → '100k', 1500 → '1,500'. */
export function rowsLabel(rows: number): string {
  if (rows % 1_000_000 === 0) return `${rows / 1_000_000}M`;
  if (rows % 1_000 === 0) return `${rows / 1_000}k`;
  return rows.toLocaleString('en-US');
}
