import { Context } from '@temporalio/activity';
import { readAffectedDates } from '../db/file-work-rows.ts';
import { recomputeDailyAggregates } from '../db/sales-aggregates.ts';
import type { ActivityDeps } from './deps.ts';
import { previousHeartbeat } from './heartbeat.ts';

export type AggregateInput =
  /** A file's own aggregate stage: the days its load recorded, those no load changed since their last recompute skipped. */
  | { fileId: string }
  /**
   * Given days (a backfill or repair). Also what a file's stage passed before it took the file id,
   * kept so that attempts scheduled by workflows recorded then still run.
   */
  | {
      dates: string[];
      /** Skip days no load changed since their last recompute. */
      onlyChangedDays?: boolean;
    };
export type AggregateResult = {
  /** The days asked for, each now up to date. */
  daysAggregated: number;
  /** Of those, the days this call recomputed (the others another call had already brought up to date). */
  daysRecomputed: number;
};

/** `daysTotal` lets a client show progress; details heartbeated before it was added lack it. */
type AggregateHeartbeat = { daysDone: number; daysRecomputed?: number; daysTotal?: number };

/** Days per transaction: short transactions keep locks brief and make progress resumable. */
const DAYS_PER_CHUNK = 7;
/** Chunks recomputed side by side, on separate connections: one per core of a small machine. */
const PARALLEL_CHUNKS = 2;

/**
 * Stage 4, aggregate: recomputes sales_aggregates_daily for the given business dates, or for those a
 * file's load recorded, a chunk of days per transaction, two chunks at a time, heartbeating the days done (a prefix of the sorted
 * dates) so that a retry resumes where it stopped.
 */
export function createAggregateDays({ pool, pipeline, logger }: ActivityDeps) {
  return async function aggregateDays(input: AggregateInput): Promise<AggregateResult> {
    const context = Context.current();
    const { dates: asked, onlyChangedDays } =
      'fileId' in input
        ? { dates: await readAffectedDates(pool, input.fileId), onlyChangedDays: true }
        : { dates: input.dates, onlyChangedDays: input.onlyChangedDays ?? false };
    const dates = [...new Set(asked)].sort();
    const resumed = previousHeartbeat(isAggregateHeartbeat);
    const options = { onlyChangedDays };
    let daysDone = resumed?.daysDone ?? 0;
    let daysRecomputed = resumed?.daysRecomputed ?? 0;
    const daysTotal = dates.length;
    context.heartbeat({ daysDone, daysRecomputed, daysTotal } satisfies AggregateHeartbeat);
    while (daysDone < dates.length) {
      const round = dates.slice(daysDone, daysDone + DAYS_PER_CHUNK * PARALLEL_CHUNKS);
      const chunks = Array.from({ length: Math.ceil(round.length / DAYS_PER_CHUNK) }, (_, index) =>
        round.slice(index * DAYS_PER_CHUNK, (index + 1) * DAYS_PER_CHUNK),
      );
      const recomputed = await Promise.all(
        chunks.map((chunk) => recomputeDailyAggregates(pool, chunk, pipeline.businessTimeZone, options)),
      );
      daysDone += round.length;
      daysRecomputed += recomputed.reduce((sum, days) => sum + days, 0);
      context.heartbeat({ daysDone, daysRecomputed, daysTotal } satisfies AggregateHeartbeat);
    }
    logger.info(
      { stage: 'aggregate', days: dates.length, daysRecomputed, from: dates[0], to: dates.at(-1) },
      'aggregated days',
    );
    return { daysAggregated: dates.length, daysRecomputed };
  };
}

function isAggregateHeartbeat(value: unknown): value is AggregateHeartbeat {
  return typeof value === 'object' && value !== null && typeof (value as AggregateHeartbeat).daysDone === 'number';
}
