import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AggregateFailureTypes, aggregateProgressQuery, type AggregateSalesInput, type AggregateSalesProgress } from '../../src/workflows/aggregate-sales-contract.ts';
import { aggregateSalesWorkflow } from '../../src/workflows/aggregate-sales.ts';
import { createMockWorker, prebuiltWorkflowBundle, startWorkflowTestEnv } from '../support/workflow-test-env.ts';
import { mockActivities, type MockedActivities } from './mock-activities.ts';

/**
 * AggregateSalesWorkflow against a stand-in aggregateDays on a real dev server: how a range is cut
 * into batches, how `lastDays` is resolved, which input is refused, and how a long range goes on
 * in a new run with the rest of it.
 */

let env: TestWorkflowEnvironment;
let workflowBundle: { codePath: string };

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startWorkflowTestEnv(), prebuiltWorkflowBundle()]);
});

afterAll(async () => {
  await env?.teardown();
});

type AggregationHandle = WorkflowHandleWithFirstExecutionRunId<typeof aggregateSalesWorkflow>;

let runs = 0;
async function withAggregation<T>(
  activities: MockedActivities,
  input: AggregateSalesInput,
  body: (handle: AggregationHandle) => Promise<T>,
): Promise<T> {
  const worker = await createMockWorker(env, workflowBundle, activities);
  runs += 1;
  return worker.run(async () => {
    const handle = await env.client.workflow.start(aggregateSalesWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `aggregate-test-${runs}`,
      args: [input],
    });
    return body(handle);
  });
}

/** The dates of every aggregateDays call, in call order. */
const batches = (activities: MockedActivities): string[][] => activities.aggregateDays.mock.calls.map(([input]) => ('dates' in input ? input.dates : []));

/** Each call's progress as the workflow reported it while the call ran. */
function recordingProgress(): { activities: MockedActivities; seen: AggregateSalesProgress[] } {
  const seen: AggregateSalesProgress[] = [];
  const activities = mockActivities({
    aggregateDays: async (input) => {
      const execution = Context.current().info.workflowExecution;
      if (!execution) throw new Error('the activity runs outside a workflow');
      seen.push(await env.client.workflow.getHandle(execution.workflowId).query(aggregateProgressQuery));
      if (!('dates' in input)) throw new Error('a backfill passes dates, not a file id');
      return { daysAggregated: input.dates.length, daysRecomputed: input.dates.length };
    },
  });
  return { activities, seen };
}

function dateRange(from: string, days: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/** Today's business date in a zone, written without the workflow's own date helpers. */
function todayIn(timeZone: string, at: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The input a run continued as new with, and the id of the run it started. */
async function continuedWith(handle: AggregationHandle, runId: string): Promise<{ input: unknown; nextRunId: string }> {
  const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
  const attributes = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
  const payload = attributes?.input?.payloads?.[0];
  if (!attributes?.newExecutionRunId || !payload) throw new Error(`run ${runId} did not continue as new`);
  return { input: defaultPayloadConverter.fromPayload(payload), nextRunId: attributes.newExecutionRunId };
}

describe('AggregateSalesWorkflow', () => {
  it('recomputes an explicit range in batches of batchDays, reporting its progress', async () => {
    const { activities, seen } = recordingProgress();
    const [from, to] = ['2026-01-30', '2026-02-08'];

    await withAggregation(activities, { from, to, batchDays: 4 }, async (handle) => {
      expect(await handle.result()).toEqual({ from, to, daysAggregated: 10 });
      expect(batches(activities)).toEqual([dateRange('2026-01-30', 4), dateRange('2026-02-03', 4), dateRange('2026-02-07', 2)]);
      // A backfill recomputes every day it is given, changed or not.
      expect(activities.aggregateDays.mock.calls.every(([input]) => 'dates' in input && input.onlyChangedDays === undefined)).toBe(true);
      expect(seen).toEqual([0, 4, 8].map((daysDone) => ({ from, to, daysDone, totalDays: 10 })));
      expect(await handle.query(aggregateProgressQuery)).toEqual({ from, to, daysDone: 10, totalDays: 10 });
    });
  });

  it('cuts a range into months by default', async () => {
    const activities = mockActivities();
    await withAggregation(activities, { from: '2024-02-01', to: '2024-03-31' }, async (handle) => {
      expect(await handle.result()).toEqual({ from: '2024-02-01', to: '2024-03-31', daysAggregated: 60 });
      expect(batches(activities)).toEqual([dateRange('2024-02-01', 31), dateRange('2024-03-03', 29)]);
    });
  });

  it('resolves lastDays to the business dates ending today in the given zone', async () => {
    // Fourteen hours ahead of UTC: its today is often not UTC's.
    const timeZone = 'Pacific/Kiritimati';
    const activities = mockActivities();
    const before = Date.now();
    await withAggregation(activities, { lastDays: 3, timeZone }, async (handle) => {
      const result = await handle.result();
      const todays = [todayIn(timeZone, before), todayIn(timeZone, Date.now())];
      expect(todays).toContain(result.to);
      const expected = dateRange(shiftDays(result.to, -2), 3);
      expect(result).toEqual({ from: expected[0], to: expected[2], daysAggregated: 3 });
      expect(batches(activities)).toEqual([expected]);
    });
  });

  it('resumes at resumeAt, counting the days before it as done', async () => {
    const { activities, seen } = recordingProgress();
    await withAggregation(activities, { from: '2026-05-01', to: '2026-05-10', batchDays: 5, resumeAt: '2026-05-07' }, async (handle) => {
      expect(await handle.result()).toEqual({ from: '2026-05-01', to: '2026-05-10', daysAggregated: 10 });
      expect(batches(activities)).toEqual([dateRange('2026-05-07', 4)]);
      expect(seen).toEqual([{ from: '2026-05-01', to: '2026-05-10', daysDone: 6, totalDays: 10 }]);
    });
  });

  it('continues as new after twelve batches with the rest of the range, and returns the whole range', async () => {
    const { activities, seen } = recordingProgress();
    const [from, to] = ['2026-01-01', '2026-01-15'];

    await withAggregation(activities, { from, to, batchDays: 1 }, async (handle) => {
      expect(await handle.result()).toEqual({ from, to, daysAggregated: 15 });

      const first = await continuedWith(handle, handle.firstExecutionRunId);
      expect(first.input).toEqual({ from, to, batchDays: 1, resumeAt: '2026-01-13' });
      const second = env.client.workflow.getHandle(handle.workflowId, first.nextRunId);
      expect((await second.describe()).status.name).toBe('COMPLETED');
      expect(await second.result()).toEqual({ from, to, daysAggregated: 15 });
      expect((await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe()).status.name).toBe(
        'CONTINUED_AS_NEW',
      );

      expect(batches(activities)).toEqual(dateRange(from, 15).map((date) => [date]));
      expect(seen.map((progress) => progress.daysDone)).toEqual(Array.from({ length: 15 }, (_, i) => i));
      expect(seen.every((progress) => progress.totalDays === 15 && progress.from === from && progress.to === to)).toBe(true);
    });
  });

  it('carries a lastDays range on as the dates it was resolved to at the first run', async () => {
    const activities = mockActivities();
    await withAggregation(activities, { lastDays: 13, timeZone: 'UTC', batchDays: 1 }, async (handle) => {
      const result = await handle.result();
      expect(result.daysAggregated).toBe(13);
      const { input } = await continuedWith(handle, handle.firstExecutionRunId);
      expect(input).toEqual({ from: result.from, to: result.to, batchDays: 1, resumeAt: shiftDays(result.from, 12) });
      expect(batches(activities)).toEqual(dateRange(result.from, 13).map((date) => [date]));
    });
  });

  it.each<[string, AggregateSalesInput, string]>([
    ['from after to', { from: '2026-02-10', to: '2026-02-01' }, 'from 2026-02-10 is after to 2026-02-01'],
    ['a date not in YYYY-MM-DD form', { from: '2026-2-1', to: '2026-02-10' }, 'from and to must be dates in YYYY-MM-DD form'],
    ['a range over a century', { from: '1900-01-01', to: '2026-01-01' }, 'days is more than the 36600 a range may span'],
    ['batchDays of 0', { from: '2026-02-01', to: '2026-02-10', batchDays: 0 }, 'batchDays must be a whole number from 1 to 366, not 0'],
    ['batchDays over a year', { from: '2026-02-01', to: '2026-02-10', batchDays: 367 }, 'not 367'],
    ['fractional batchDays', { from: '2026-02-01', to: '2026-02-10', batchDays: 1.5 }, 'not 1.5'],
    ['resumeAt after the range', { from: '2026-02-01', to: '2026-02-10', resumeAt: '2026-02-11' }, 'resumeAt 2026-02-11 is not a date within'],
    ['resumeAt before the range', { from: '2026-02-01', to: '2026-02-10', resumeAt: '2026-01-31' }, 'resumeAt 2026-01-31 is not a date within'],
    ['lastDays of 0', { lastDays: 0, timeZone: 'UTC' }, 'lastDays must be a whole number from 1 to 36600, not 0'],
    ['lastDays over a century', { lastDays: 36_601, timeZone: 'UTC' }, 'not 36601'],
    ['an unknown time zone', { lastDays: 2, timeZone: 'Mars/Olympus_Mons' }, 'Mars/Olympus_Mons is not an IANA time zone'],
  ])('refuses %s without calling the activity', async (_case, input, message) => {
    const activities = mockActivities();
    await withAggregation(activities, input, async (handle) => {
      const error = await handle.result().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const failure = (error as WorkflowFailedError).cause;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).type).toBe(AggregateFailureTypes.invalidRange);
      expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      expect(failure?.message).toContain(message);
      expect(activities.aggregateDays).not.toHaveBeenCalled();
      expect((await handle.describe()).status.name).toBe('FAILED');
    });
  });
});

function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
