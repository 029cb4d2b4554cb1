import type { IngestProgress, IngestStage, IngestSummary } from '../../workflows/ingest-file-contract.ts';
import type { StageProgress } from './stage-progress.ts';

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
  /** How far the current stage is, when its activities report it. */
  stageProgress?: StageProgress | null;
  /** Seconds until the current stage is done at its recent pace; null while that is unknown. */
  etaSeconds?: number | null;
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

export type FractionSample = { atMs: number; fraction: number };

/**
 * Seconds left in a stage at its pace between the oldest and newest sample of it; null until it
 * has moved between two samples.
 */
export function secondsLeft(samples: readonly FractionSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.atMs <= first.atMs || last.fraction <= first.fraction) return null;
  const perMs = (last.fraction - first.fraction) / (last.atMs - first.atMs);
  return (1 - last.fraction) / perMs / 1000;
}
