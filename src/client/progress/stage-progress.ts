import type { IngestProgress, ParseHeartbeatDetails } from '../../workflows/ingest-file-contract.ts';

/** How far the current stage is, as its running activities last heartbeated. */
export type StageProgress = {
  /** Share of the stage done, from 0 to 1. */
  fraction: number;
  /** What the fraction counts, when the heartbeats say: bytes of the object, rows loaded, days. */
  done: number | null;
  total: number | null;
  unit: 'bytes' | 'rows' | 'days';
};

/** The workflow's progress and, during a stage whose activities report it, how far that stage is. */
export type LiveProgress = IngestProgress & { stageProgress?: StageProgress | null };

/** A pending activity of the workflow as its description shows it: its type and last heartbeat details. */
export type PendingDetails = { type: string; details: unknown };

/**
 * The current stage's progress from the workflow's pending activities, without any change to the
 * workflow: the parse reports bytes read of the object (one activity, or several over byte ranges
 * side by side), the load the rows of its committed chunks, the aggregate stage the days done.
 * Null when the stage's activities have not said (hashing, or between two activities).
 */
export function stageProgressOf(progress: IngestProgress, pending: readonly PendingDetails[]): StageProgress | null {
  const of = (type: string) => pending.filter((activity) => activity.type === type);
  switch (progress.stage) {
    case 'parse': {
      if (of('finishParse').length > 0) return { fraction: 1, done: null, total: null, unit: 'bytes' };
      const whole = of('parseToStaging')[0];
      if (whole !== undefined) return wholeParse(whole.details);
      const parts = of('parseRange');
      return parts.length > 0 ? partsParse(parts.map((part) => part.details)) : null;
    }
    case 'load': {
      const load = of('loadFromStaging')[0];
      const rowsLoaded = numberField(load?.details, 'rowsLoaded');
      if (rowsLoaded === null) return null;
      return ratio(rowsLoaded, Math.max(progress.rowsRead - progress.rowsRejected, rowsLoaded), 'rows');
    }
    case 'aggregate': {
      // The days are done once the file's completion is being recorded.
      if (of('markFileCompleted').length > 0) return { fraction: 1, done: null, total: null, unit: 'days' };
      const aggregate = of('aggregateDays')[0];
      const daysDone = numberField(aggregate?.details, 'daysDone');
      const daysTotal = numberField(aggregate?.details, 'daysTotal');
      return daysDone === null || daysTotal === null ? null : ratio(daysDone, daysTotal, 'days');
    }
    default:
      return null;
  }
}

function wholeParse(details: unknown): StageProgress | null {
  const bytes = parseBytes(details);
  return bytes === null ? null : ratio(bytes.read, bytes.total, 'bytes');
}

/**
 * Parts that finished are no longer pending, so what is done is the file less what the pending
 * parts still have to read. A part not started yet has not said its length: it counts as long as
 * the average part that has.
 */
function partsParse(details: readonly unknown[]): StageProgress | null {
  const started = details.flatMap((detail) => {
    const bytes = parseBytes(detail);
    return bytes === null ? [] : [bytes];
  });
  const fileBytes = started.find((bytes) => bytes.fileBytes !== null)?.fileBytes ?? null;
  if (fileBytes === null) return null;
  const left = started.reduce((sum, bytes) => sum + Math.max(0, bytes.total - bytes.read), 0);
  const averagePart = started.reduce((sum, bytes) => sum + bytes.total, 0) / started.length;
  const notStarted = details.length - started.length;
  return ratio(Math.max(0, fileBytes - left - notStarted * averagePart), fileBytes, 'bytes');
}

type ParseBytes = { read: number; total: number; fileBytes: number | null };

/** The byte counts of a parse heartbeat; null for details heartbeated before they carried any. */
function parseBytes(details: unknown): ParseBytes | null {
  const read = numberField(details, 'bytesRead' satisfies keyof ParseHeartbeatDetails);
  const total = numberField(details, 'totalBytes' satisfies keyof ParseHeartbeatDetails);
  if (read === null || total === null) return null;
  return { read, total, fileBytes: numberField(details, 'fileBytes' satisfies keyof ParseHeartbeatDetails) };
}

function ratio(done: number, total: number, unit: StageProgress['unit']): StageProgress {
  const fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  return { fraction, done: Math.min(done, total), total, unit };
}

function numberField(details: unknown, name: string): number | null {
  if (typeof details !== 'object' || details === null) return null;
  const value = (details as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
