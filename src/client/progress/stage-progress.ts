import type { IngestProgress } from '../../workflows/ingest-file-contract.ts';
import { loadProgress } from './load-progress.ts';
import { bytesProgress, partsProgress } from './parse-progress.ts';
import { numberField, ratio, type StageProgress } from './stage-share.ts';

export type { StageProgress } from './stage-share.ts';

/** The workflow's progress and, during a stage whose activities report it, how far that stage is. */
export type LiveProgress = IngestProgress & { stageProgress?: StageProgress | null };

/** A pending activity of the workflow as its description shows it: its type and last heartbeat details. */
export type PendingDetails = { type: string; details: unknown };

/**
 * The current stage's progress from the workflow's pending activities, without any change to the
 * workflow: the hash stage reports bytes hashed of the object, the parse bytes read of it (one
 * activity, or several over byte ranges side by side), the load its step and the rows of its
 * committed chunks, the aggregate stage the days done. Null when the stage's activities have not
 * said (between two activities, or from a worker that heartbeated no counts).
 */
export function stageProgressOf(progress: IngestProgress, pending: readonly PendingDetails[]): StageProgress | null {
  const of = (type: string) => pending.filter((activity) => activity.type === type);
  switch (progress.stage) {
    case 'hash-dedupe': {
      const hash = of('hashAndClaim')[0];
      return hash === undefined ? null : bytesProgress(hash.details);
    }
    case 'parse': {
      if (of('finishParse').length > 0) return { fraction: 1, done: null, total: null, unit: 'bytes' };
      const whole = of('parseToStaging')[0];
      if (whole !== undefined) return bytesProgress(whole.details);
      const parts = of('parseRange');
      return parts.length > 0 ? partsProgress(parts.map((part) => part.details)) : null;
    }
    case 'load': {
      const load = of('loadFromStaging')[0];
      return load === undefined ? null : loadProgress(progress, load.details);
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
