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

/**
 * The most days one transaction recomputes. Each chunk's rollup reads order_items whole (a hash
 * join beats an index lookup per order at these sizes), so fewer, longer chunks cost less, the more
 * so the larger the table; the bound keeps a chunk's day locks and the work a retry repeats small.
 */
const MAX_DAYS_PER_CHUNK = 31;
/** Chunks recomputed side by side, on separate connections: one per core of a small machine. */
const PARALLEL_CHUNKS = 2;

/** Chunks of equal length, as few as the bound allows, in rounds that keep every connection busy. */
export function daysPerChunk(days: number): number {
  const rounds = Math.ceil(days / (MAX_DAYS_PER_CHUNK * PARALLEL_CHUNKS));
  return Math.max(1, Math.ceil(days / (rounds * PARALLEL_CHUNKS)));
}

/**
 * Stage 4, aggregate: recomputes sales_aggregates_daily for the given business dates, or for those a
 * file's load recorded, a chunk of days per transaction, two chunks at a time, heartbeating the days
 * done (a prefix of the sorted dates) so that a retry resumes where it stopped.
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
    const chunkDays = daysPerChunk(daysTotal);
    context.heartbeat({ daysDone, daysRecomputed, daysTotal } satisfies AggregateHeartbeat);
    while (daysDone < dates.length) {
      const round = dates.slice(daysDone, daysDone + chunkDays * PARALLEL_CHUNKS);
      const chunks = Array.from({ length: Math.ceil(round.length / chunkDays) }, (_, index) =>
        round.slice(index * chunkDays, (index + 1) * chunkDays),
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
