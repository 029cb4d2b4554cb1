import {
  ApplicationFailure,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { addDays, consecutiveDates, daysInRange, isIsoDate, lastDaysRange } from '../domain/business-dates.ts';
import { isKnownTimeZone } from '../domain/zone-time.ts';
import {
  AggregateFailureTypes,
  aggregateProgressQuery,
  type AggregateSalesInput,
  type AggregateSalesProgress,
  type AggregateSalesResult,
} from './aggregate-sales-contract.ts';
import { INFRASTRUCTURE_RETRY } from './retry-policy.ts';

/** A month per activity call: a year-long backfill is a dozen activities, not hundreds of events. */
const DEFAULT_BATCH_DAYS = 31;
const MAX_BATCH_DAYS = 366;
/** A century of days: anything longer is a typo, not a backfill. */
const MAX_RANGE_DAYS = 36_600;
/**
 * A fresh run after this many batches keeps every run's history small and bounded, whatever the
 * range (a year of 31-day batches fits in one run); the server's own suggestion also ends a run.
 */
const MAX_BATCHES_PER_RUN = 12;

const { aggregateDays } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  // The activity heartbeats after every 7-day chunk and resumes from the last one reported.
  heartbeatTimeout: '20 seconds',
  retry: INFRASTRUCTURE_RETRY,
});

/**
 * Recomputes sales_aggregates_daily from the base tables for a range of business dates, a batch
 * of days per `aggregateDays` call, continuing as new with the rest of the range when a run has
 * done enough. Idempotent like the activity: running a range twice, or two ranges that overlap,
 * gives the same table.
 */
export async function aggregateSalesWorkflow(input: AggregateSalesInput): Promise<AggregateSalesResult> {
  const { from, to } = resolveRange(input);
  const batchDays = input.batchDays ?? DEFAULT_BATCH_DAYS;
  if (!Number.isInteger(batchDays) || batchDays < 1 || batchDays > MAX_BATCH_DAYS) {
    throw invalidRange(`batchDays must be a whole number from 1 to ${MAX_BATCH_DAYS}, not ${batchDays}`);
  }
  const resumeAt = 'resumeAt' in input && input.resumeAt !== undefined ? input.resumeAt : from;
  if (!isIsoDate(resumeAt) || resumeAt < from || daysInRange(resumeAt, to) === 0) {
    throw invalidRange(`resumeAt ${resumeAt} is not a date within ${from}..${to}`);
  }

  const progress: AggregateSalesProgress = {
    from,
    to,
    daysDone: daysInRange(from, resumeAt) - 1,
    totalDays: daysInRange(from, to),
  };
  setHandler(aggregateProgressQuery, () => progress);
  // The Web UI's current details: how far the range has got, in the words of `pipeforge aggregate`.
  const tell = (done: boolean) =>
    setCurrentDetails(
      `Sales aggregates ${from}..${to}: ${progress.daysDone} of ${progress.totalDays} days recomputed` +
        (done ? ', completed' : '…'),
    );
  tell(false);

  let next = resumeAt;
  for (let batches = 0; progress.daysDone < progress.totalDays; batches += 1) {
    if (batches >= MAX_BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      // The relative range was resolved once, at the first run: the rest of it goes on as dates.
      return continueAsNew<typeof aggregateSalesWorkflow>({ from, to, batchDays, resumeAt: next });
    }
    const count = Math.min(batchDays, progress.totalDays - progress.daysDone);
    const dates = consecutiveDates(next, count);
    await aggregateDays.executeWithOptions(
      { summary: `recompute the daily sales of ${dates[0] ?? next}..${dates.at(-1) ?? next} (${count} days)` },
      [{ dates }],
    );
    next = addDays(next, count);
    progress.daysDone += count;
    tell(false);
  }
  tell(true);
  return { from, to, daysAggregated: progress.totalDays };
}

/** The explicit range, with `lastDays` read at workflow time (deterministic, replay-safe). */
function resolveRange(input: AggregateSalesInput): { from: string; to: string } {
  if ('lastDays' in input) {
    if (!Number.isInteger(input.lastDays) || input.lastDays < 1 || input.lastDays > MAX_RANGE_DAYS) {
      throw invalidRange(`lastDays must be a whole number from 1 to ${MAX_RANGE_DAYS}, not ${input.lastDays}`);
    }
    if (!isKnownTimeZone(input.timeZone)) throw invalidRange(`${input.timeZone} is not an IANA time zone`);
    // Date.now() in workflow code is the workflow task's time, recorded and replayed.
    return lastDaysRange(input.lastDays, input.timeZone, Date.now());
  }
  const { from, to } = input;
  if (!isIsoDate(from) || !isIsoDate(to)) throw invalidRange(`from and to must be dates in YYYY-MM-DD form`);
  const days = daysInRange(from, to);
  if (days === 0) throw invalidRange(`from ${from} is after to ${to}`);
  if (days > MAX_RANGE_DAYS) throw invalidRange(`${days} days is more than the ${MAX_RANGE_DAYS} a range may span`);
  return { from, to };
}

function invalidRange(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: AggregateFailureTypes.invalidRange, nonRetryable: true });
}
