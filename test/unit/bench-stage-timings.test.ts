import { describe, expect, it } from '@jest/globals';
import { stageTimings, type HistoryPoint } from '../../src/bench/stage-timings.ts';

let nextId = 1;
const at = (seconds: number) => seconds * 1000;
const started = (s: number): HistoryPoint => ({ kind: 'workflowStarted', eventId: nextId++, timeMs: at(s) });
const closed = (s: number): HistoryPoint => ({ kind: 'workflowClosed', eventId: nextId++, timeMs: at(s) });
const activity = (activityType: string, from: number, to: number): HistoryPoint[] => {
  const eventId = nextId++;
  return [
    { kind: 'activityScheduled', eventId, timeMs: at(from), activityType },
    { kind: 'activityCompleted', eventId: nextId++, timeMs: at(to), scheduledEventId: eventId },
  ];
};
const byTime = (points: HistoryPoint[]) => [...points].sort((a, b) => a.timeMs - b.timeMs);

describe('stage timings from a workflow history', () => {
  it('times each stage from scheduled to completed and puts other activity types under other', () => {
    const timings = stageTimings(
      byTime([
        started(0),
        ...activity('hashAndClaim', 0.1, 0.5),
        ...activity('parseToStaging', 0.6, 3.6),
        ...activity('loadFromStaging', 3.7, 8.7),
        ...activity('aggregateDays', 8.8, 9.8),
        ...activity('markFileCompleted', 9.9, 10),
        closed(10.1),
      ]),
    );
    expect(timings.stages.hashAndClaim).toBeCloseTo(0.4);
    expect(timings.stages.parseToStaging).toBeCloseTo(3);
    expect(timings.stages.loadFromStaging).toBeCloseTo(5);
    expect(timings.stages.aggregateDays).toBeCloseTo(1);
    expect(timings.stages.other).toBeCloseTo(0.1);
    expect(timings.workflowSeconds).toBeCloseTo(10.1);
  });

  it('times a file parsed in parts from its first part to the end of the step after them', () => {
    const timings = stageTimings(
      byTime([
        started(0),
        ...activity('parseRange', 1, 4),
        ...activity('parseRange', 1.5, 5),
        ...activity('finishParse', 5.5, 6),
        closed(7),
      ]),
    );
    expect(timings.stages.parseToStaging).toBeCloseTo(4.5);
    expect(timings.stages.other).toBe(0);
  });

  it('counts overlapping activities of one stage once and adds separate ones', () => {
    const timings = stageTimings(
      byTime([
        started(0),
        ...activity('aggregateDays', 1, 3),
        ...activity('aggregateDays', 2, 4),
        ...activity('aggregateDays', 6, 7),
        closed(8),
      ]),
    );
    expect(timings.stages.aggregateDays).toBeCloseTo(4);
    expect(timings.stages.parseToStaging).toBe(0);
  });

  it('refuses a history without its workflow start or close', () => {
    expect(() => stageTimings([started(0), ...activity('hashAndClaim', 0, 1)])).toThrow(/start or close/);
  });
});
