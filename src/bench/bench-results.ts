import type { CpuUse } from './cpu-time.ts';
import type { PeerStep } from './peer-output.ts';
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

/** The dlt peer (`dlt_orders.py`) on the same file against the same PostgreSQL, in its own schema. */
export type PeerRun = {
  /** Wall time of its process, measured by the bench: interpreter start and imports included. */
  wallSeconds: number;
  /** Its own step times, as it printed them. */
  steps: PeerStep[];
  /** ru_maxrss of its process, as it printed it. */
  peakRssBytes: number;
  /** workerSeconds is the peer process's CPU here; the rest of the busy time is PostgreSQL's. */
  cpu: CpuUse;
};

/** Why there is no peer number: said in the peer's cells instead of one. */
export type PeerMissing = { missing: string };
export type PeerResult = PeerRun | PeerMissing;

export type PeerFirstLoad = { rows: number; peer: PeerResult };

/** A second file of the first size into the database the first one populated, both sides. */
export type SecondFileResult = { pipeforge: SizeResult; peer: PeerResult };

/** Several files submitted in one call to one worker process: what its memory holds at once. */
export type AtOnceResult = { files: number; rowsPerFile: number; seconds: number; peakRssBytes: number };

/** The parse of one file as one activity, and split over two; null until the parse can be split. */
export type ParseSplitResult = {
  rows: number;
  oneActivitySeconds: number;
  twoActivitiesSeconds: number;
  /** The distinct workers the two parts ran on: the server hands them to whichever polls first. */
  workersUsed: number;
};

export type BenchResults = {
  sizes: SizeResult[];
  warmSmall: WarmSmallResult;
  reaggregate: ReaggregateResult;
  /** Null when skipped with --skip-concurrency. */
  concurrency: ConcurrencyResult | null;
  /** The peer on each of `sizes`' files, each into a fresh schema. */
  peerFirstLoads: PeerFirstLoad[];
  secondFile: SecondFileResult;
  fourAtOnce: AtOnceResult;
  parseSplit: ParseSplitResult;
};

export function isPeerRun(peer: PeerResult): peer is PeerRun {
  return !('missing' in peer);
}
