import type { CpuUse } from './cpu-time.ts';
import type { ResidentSet } from './resident-set.ts';

/** What one `npm run bench` measured; every duration is in seconds, every size in bytes. */

/** The stages the issue names, in workflow order; every other activity type counts as 'other'. */
export const STAGE_NAMES = ['hashAndClaim', 'parseToStaging', 'loadFromStaging', 'aggregateDays'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export type StageTimings = {
  /** Per stage, the time its activities were scheduled or running (overlaps counted once). */
  stages: Record<StageName | 'other', number>;
  /** Workflow execution started to closed, as the server recorded them. */
  workflowSeconds: number;
};

/** One big file through a worker process started for it alone. */
export type SizeResult = {
  rows: number;
  /** `pipeforge ingest FILE --wait` as a process: upload, start, wait. */
  endToEndSeconds: number;
  timings: StageTimings;
  /** VmHWM just before the worker stopped: the most it ever held resident. */
  peakRssBytes: number;
  /** VmHWM and VmRSS once the worker reported it started: what it costs before any file. */
  atStart: ResidentSet;
  /** COPY of the same file into an unlogged table: what the transport alone costs. */
  copySeconds: number;
  /** CPU time spent while the file went through, end to end. */
  cpu: CpuUse;
};

export type WarmSmallResult = { rows: number; endToEndSeconds: number };

export type ReaggregateResult = { rows: number; aggregateSeconds: number; daysAggregated: number };

export type ConcurrencyResult = {
  files: number;
  rowsPerFile: number;
  /** Ten files one after the other, one worker process. */
  oneWorkerSeconds: number;
  /** Ten other files submitted at once, two worker processes. */
  twoWorkersSeconds: number;
};

export type BenchResults = {
  sizes: SizeResult[];
  warmSmall: WarmSmallResult;
  reaggregate: ReaggregateResult;
  /** Null when skipped with --skip-concurrency. */
  concurrency: ConcurrencyResult | null;
};
