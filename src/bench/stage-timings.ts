import type { WorkflowHandle } from '@temporalio/client';
import { STAGE_NAMES, type StageName, type StageTimings } from './bench-results.ts';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** The few facts of a history event the timings need, free of protobuf types. */
export type HistoryPoint =
  | { kind: 'workflowStarted' | 'workflowClosed'; eventId: number; timeMs: number }
  | { kind: 'activityScheduled'; eventId: number; timeMs: number; activityType: string }
  | { kind: 'activityCompleted'; eventId: number; timeMs: number; scheduledEventId: number };

type Interval = { startMs: number; endMs: number };

/**
 * Per stage, the time from each activity's ActivityTaskScheduled to its ActivityTaskCompleted,
 * which includes queueing and retries: what a user waits for. A stage that runs as several
 * activities, one after another or side by side, counts each moment once.
 */
export function stageTimings(points: readonly HistoryPoint[]): StageTimings {
  const scheduled = new Map<number, { activityType: string; timeMs: number }>();
  const intervals = new Map<StageName | 'other', Interval[]>();
  let startedMs: number | undefined;
  let closedMs: number | undefined;
  for (const point of points) {
    switch (point.kind) {
      case 'workflowStarted':
        startedMs = point.timeMs;
        break;
      case 'workflowClosed':
        closedMs = point.timeMs;
        break;
      case 'activityScheduled':
        scheduled.set(point.eventId, point);
        break;
      case 'activityCompleted': {
        const start = scheduled.get(point.scheduledEventId);
        if (!start) throw new Error(`activity completed (event ${point.eventId}) without its scheduled event`);
        const stage = stageOf(start.activityType);
        intervals.set(stage, [...(intervals.get(stage) ?? []), { startMs: start.timeMs, endMs: point.timeMs }]);
        break;
      }
    }
  }
  if (startedMs === undefined || closedMs === undefined) throw new Error('the history has no workflow start or close');
  const seconds = (stage: StageName | 'other') => unionMs(intervals.get(stage) ?? []) / 1000;
  return {
    stages: {
      hashAndClaim: seconds('hashAndClaim'),
      parseToStaging: seconds('parseToStaging'),
      loadFromStaging: seconds('loadFromStaging'),
      aggregateDays: seconds('aggregateDays'),
      other: seconds('other'),
    },
    workflowSeconds: (closedMs - startedMs) / 1000,
  };
}

/** A file parsed in parts: its parts and the step after them are the parse stage together. */
const PARSE_IN_PARTS = new Set(['parseRange', 'finishParse']);

function stageOf(activityType: string): StageName | 'other' {
  if (PARSE_IN_PARTS.has(activityType)) return 'parseToStaging';
  return (STAGE_NAMES as readonly string[]).includes(activityType) ? (activityType as StageName) : 'other';
}

/** The length of the union of intervals. */
function unionMs(intervals: readonly Interval[]): number {
  let total = 0;
  let current: Interval | undefined;
  for (const interval of [...intervals].sort((a, b) => a.startMs - b.startMs)) {
    if (current && interval.startMs <= current.endMs) {
      current.endMs = Math.max(current.endMs, interval.endMs);
      continue;
    }
    if (current) total += current.endMs - current.startMs;
    current = { ...interval };
  }
  return total + (current ? current.endMs - current.startMs : 0);
}

/** A workflow's stage timings from its history on the server. */
export async function fetchStageTimings(handle: WorkflowHandle): Promise<StageTimings> {
  const history = await handle.fetchHistory();
  return stageTimings((history.events ?? []).flatMap((event) => historyPoint(event) ?? []));
}

function historyPoint(event: HistoryEvent): HistoryPoint | undefined {
  const eventId = toNumber(event.eventId);
  const timeMs = toNumber(event.eventTime?.seconds) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
  if (event.workflowExecutionStartedEventAttributes) return { kind: 'workflowStarted', eventId, timeMs };
  if (
    event.workflowExecutionCompletedEventAttributes ||
    event.workflowExecutionFailedEventAttributes ||
    event.workflowExecutionTimedOutEventAttributes ||
    event.workflowExecutionCanceledEventAttributes ||
    event.workflowExecutionTerminatedEventAttributes ||
    event.workflowExecutionContinuedAsNewEventAttributes
  ) {
    return { kind: 'workflowClosed', eventId, timeMs };
  }
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (scheduled) return { kind: 'activityScheduled', eventId, timeMs, activityType: scheduled.activityType?.name ?? '' };
  const completed = event.activityTaskCompletedEventAttributes;
  if (completed) return { kind: 'activityCompleted', eventId, timeMs, scheduledEventId: toNumber(completed.scheduledEventId) };
  return undefined;
}

/** protobufjs gives 64-bit fields as Long objects (or numbers when they fit, depending on setup). */
function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
