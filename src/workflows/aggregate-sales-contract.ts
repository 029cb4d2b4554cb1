/**
 * The contract of AggregateSalesWorkflow, imported by the workflow, the CLI and the schedules: its
 * input, result, progress query, ids and failure type. Workflow code imports this module, so it may
 * depend only on deterministic, sandbox-safe packages.
 */
import { defineQuery } from '@temporalio/workflow';

/**
 * The days AggregateSalesWorkflow recomputes: an explicit range of business dates (both included),
 * or the last `lastDays` business dates as of the moment the run starts, which is what a schedule
 * needs (`lastDays: 2` is yesterday and today in `timeZone`). Only date strings cross the boundary.
 */
export type AggregateSalesInput =
  | {
      from: string;
      to: string;
      /** Days per activity call; defaults to 31. */
      batchDays?: number;
      /** Set by continue-as-new: the first date of the range not yet recomputed. */
      resumeAt?: string;
    }
  | { lastDays: number; timeZone: string; batchDays?: number };

export type AggregateSalesProgress = { from: string; to: string; daysDone: number; totalDays: number };
export type AggregateSalesResult = { from: string; to: string; daysAggregated: number };

/** Same name as the ingestion's query: queries are per workflow type, and `progress` is what a user tries. */
export const aggregateProgressQuery = defineQuery<AggregateSalesProgress>('progress');

/** One backfill per range at a time: starting the same range again attaches to the running one. */
export function aggregateSalesWorkflowId(from: string, to: string): string {
  return `aggregate-sales-${from}-${to}`;
}

/** Scheduled runs get this id plus the server's timestamp suffix. */
export function scheduledAggregationWorkflowId(scheduleName: string): string {
  return `aggregate-sales-scheduled-${scheduleName}`;
}

export const AggregateFailureTypes = { invalidRange: 'InvalidAggregateRange' } as const;
