import { Context } from '@temporalio/activity';
import { recomputeDailyAggregates } from '../db/sales-aggregates.ts';
import type { ActivityDeps } from './deps.ts';
import { previousHeartbeat } from './heartbeat.ts';

export type AggregateInput = { dates: string[] };
export type AggregateResult = { daysAggregated: number };

type AggregateHeartbeat = { daysDone: number };

/** Days per transaction: short transactions keep locks brief and make progress resumable. */
const DAYS_PER_CHUNK = 7;

/**
 * Stage 4, aggregate: recomputes sales_aggregates_daily for the given business dates, a chunk of
 * days per transaction, heartbeating the days done so that a retry resumes where it stopped.
 */
export function createAggregateDays({ pool, pipeline, logger }: ActivityDeps) {
  return async function aggregateDays(input: AggregateInput): Promise<AggregateResult> {
    const context = Context.current();
    const dates = [...new Set(input.dates)].sort();
    let daysDone = previousHeartbeat(isAggregateHeartbeat)?.daysDone ?? 0;
    while (daysDone < dates.length) {
      const chunk = dates.slice(daysDone, daysDone + DAYS_PER_CHUNK);
      await recomputeDailyAggregates(pool, chunk, pipeline.businessTimeZone);
      daysDone += chunk.length;
      context.heartbeat({ daysDone } satisfies AggregateHeartbeat);
    }
    logger.info({ stage: 'aggregate', days: dates.length, from: dates[0], to: dates.at(-1) }, 'aggregated days');
    return { daysAggregated: dates.length };
  };
}

function isAggregateHeartbeat(value: unknown): value is AggregateHeartbeat {
  return typeof value === 'object' && value !== null && typeof (value as AggregateHeartbeat).daysDone === 'number';
}
