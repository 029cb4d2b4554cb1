import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { msToNumber } from '@temporalio/common';
import { type AggregateSalesInput, scheduledAggregationWorkflowId } from '../workflows/aggregate-sales-contract.ts';
import { aggregateSalesWorkflow } from '../workflows/aggregate-sales.ts';
import { describeRange } from './aggregation-range-args.ts';
import { scheduledAggregationMetadata } from './start-metadata.ts';
import { UsageError } from '../errors.ts';

/**
 * BUFFER_ONE: a run that comes due while the previous one is still going waits for it, and at most
 * one waits. Never two at once, because both would recompute the same days and queue on the same
 * per-day locks for nothing; never a pile-up after an outage or a long backfill, because one fresh
 * run covers everything the missed ones would have (`lastDays` is read when a run starts); and never
 * a dropped run (SKIP would lose the run that picks up data loaded while the previous one ran) or
 * a cancelled one (CANCEL_OTHER could starve a long recomputation forever).
 */
export const AGGREGATE_SCHEDULE_OVERLAP = ScheduleOverlapPolicy.BUFFER_ONE;

/**
 * Runs missed while the server was down are still taken when it returns within a day (so a
 * nightly run is not lost to a short outage); BUFFER_ONE folds them into at most two runs.
 */
const CATCHUP_WINDOW = '1 day';

export type ScheduleCadence = { cron: string } | { every: string };

export type AggregateScheduleOptions = {
  name: string;
  cadence: ScheduleCadence;
  /** The zone the cron expression is read in. */
  timeZone: string;
  range: AggregateSalesInput;
  taskQueue: string;
};

type AggregateAction = ScheduleOptionsStartWorkflowAction<typeof aggregateSalesWorkflow>;

function describeCadence(cadence: ScheduleCadence): string {
  return 'cron' in cadence ? `cron ${cadence.cron}` : `every ${cadence.every}`;
}

function specFor(cadence: ScheduleCadence, timeZone: string): ScheduleSpec {
  if ('cron' in cadence) return { cronExpressions: [cadence.cron], timezone: timeZone };
  let every: number;
  try {
    every = msToNumber(cadence.every as Parameters<typeof msToNumber>[0]);
  } catch {
    throw new UsageError(`--every ${JSON.stringify(cadence.every)} is not a duration such as 15m, 6h or 1d`);
  }
  if (!(every >= 60_000)) throw new UsageError('--every must be at least one minute');
  return { intervals: [{ every }], timezone: timeZone };
}

/** Creates the schedule, or, when one of that name exists, updates it in place (keeping it paused if it was). */
export async function upsertAggregateSchedule(
  client: Client,
  options: AggregateScheduleOptions,
): Promise<'created' | 'updated'> {
  const spec = specFor(options.cadence, options.timeZone);
  const action: AggregateAction = {
    type: 'startWorkflow',
    workflowType: aggregateSalesWorkflow,
    workflowId: scheduledAggregationWorkflowId(options.name),
    taskQueue: options.taskQueue,
    args: [options.range],
    // The server turns a cron string into calendar ranges; the memo keeps what the user wrote.
    memo: { cadence: describeCadence(options.cadence), range: describeRange(options.range) },
    ...scheduledAggregationMetadata(options.name, describeCadence(options.cadence), options.range),
  };
  const policies = { overlap: AGGREGATE_SCHEDULE_OVERLAP, catchupWindow: CATCHUP_WINDOW };
  try {
    await client.schedule.create<typeof aggregateSalesWorkflow>({ scheduleId: options.name, spec, action, policies });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(options.name).update<typeof aggregateSalesWorkflow>((previous) => ({
    spec,
    action,
    policies,
    state: { paused: previous.state.paused, note: previous.state.note },
  }));
  return 'updated';
}

/** The schedules of this namespace that run AggregateSalesWorkflow, described. */
export async function listAggregateSchedules(client: Client): Promise<ScheduleDescription[]> {
  const descriptions: ScheduleDescription[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.action?.workflowType !== aggregateSalesWorkflow.name) continue;
    descriptions.push(await client.schedule.getHandle(summary.scheduleId).describe());
  }
  return descriptions.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

export type ScheduleView = {
  name: string;
  cadence: string;
  timeZone: string;
  range: string;
  paused: boolean;
  note: string | null;
  taskQueue: string;
  nextRuns: string[];
  recentRuns: Array<{ scheduledAt: string; workflowId: string }>;
  running: string[];
  actionsTaken: number;
  skippedOverlap: number;
};

/** What `schedule list` and `schedule describe` show, from a description. */
export function scheduleView(description: ScheduleDescription): ScheduleView {
  const memo = description.action.memo ?? {};
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  return {
    name: description.scheduleId,
    cadence: text(memo.cadence, '(set outside pipeforge)'),
    timeZone: description.spec.timezone ?? 'UTC',
    range: text(memo.range, JSON.stringify(description.action.args ?? [])),
    paused: description.state.paused,
    note: description.state.note ?? null,
    taskQueue: description.action.taskQueue,
    nextRuns: description.info.nextActionTimes.slice(0, 3).map((at) => at.toISOString()),
    recentRuns: description.info.recentActions.slice(-5).map((run) => ({
      scheduledAt: run.scheduledAt.toISOString(),
      workflowId: run.action.workflow.workflowId,
    })),
    running: description.info.runningActions.map((run) => run.workflow.workflowId),
    actionsTaken: description.info.numActionsTaken,
    skippedOverlap: description.info.numActionsSkippedOverlap,
  };
}
