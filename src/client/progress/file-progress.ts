import type { IngestProgress, IngestStage, IngestSummary } from '../../workflows/ingest-file-contract.ts';

/** What the progress display knows about one file at one moment. */
export type FileProgress = {
  filename: string;
  stage: IngestStage;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Rows per second over the last samples, when known. */
  rate: number | null;
  /** Set once the workflow has finished. */
  summary: IngestSummary | null;
};

export const STAGES: readonly IngestStage[] = ['queued', 'hash-dedupe', 'parse', 'load', 'aggregate', 'done'];

/**
 * The workflow's `progress` query learns the row count when the parse activity returns; while it
 * runs, the activity's last heartbeat (the line reached, header included) is the live count.
 */
export function withParseHeartbeat(progress: IngestProgress, heartbeatLine: number | null): IngestProgress {
  if (progress.stage !== 'parse' || heartbeatLine === null) return progress;
  return { ...progress, rowsRead: Math.max(progress.rowsRead, heartbeatLine - 1) };
}

export type RateSample = { atMs: number; rows: number };

/** Rows per second between the oldest and newest sample; null until two samples differ in time. */
export function rowsPerSecond(samples: readonly RateSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.atMs <= first.atMs) return null;
  return ((last.rows - first.rows) * 1000) / (last.atMs - first.atMs);
}
