import { jest } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities/index.ts';

export type MockedActivities = { [K in keyof Activities]: jest.Mock<Activities[K]> };

export const FILE_ID = '00000000-0000-4000-8000-000000000001';
export const AFFECTED_DATES = ['2026-03-01', '2026-03-02', '2026-03-04'];

/**
 * Stand-ins for every activity the worker registers, with the names and signatures of the real
 * ones (the type is the worker's own), answering as a clean 10-row file would. A test overrides
 * the ones its branch needs and reads the calls afterwards.
 */
export function mockActivities(overrides: Partial<Activities> = {}): MockedActivities {
  const happy: Activities = {
    hashAndClaim: async () => ({ fileId: FILE_ID, duplicateOf: null }),
    parseToStaging: async () => ({ rowsRead: 10, rowsStaged: 8, rowsRejected: 2, rejectsReportKey: `rejects/${FILE_ID}.csv` }),
    // A file in parts: 4 of its 10 rows in the first part, 3 in each other.
    parseRange: async (input) => ({ rowsRead: input.rangeIndex === 0 ? 4 : 3 }),
    finishParse: async (input) => ({ rowsRead: input.rowsRead, rowsStaged: 8, rowsRejected: 2, rejectsReportKey: `rejects/${FILE_ID}.csv` }),
    loadFromStaging: async () => ({ rowsLoaded: 8, ordersLoaded: 3, alreadyLoaded: false }),
    // A file's stage names the file; its recorded days are AFFECTED_DATES.
    aggregateDays: async (input) => {
      const days = 'dates' in input ? input.dates.length : AFFECTED_DATES.length;
      return { daysAggregated: days, daysRecomputed: days };
    },
    markFileCompleted: async () => undefined,
    markFileFailed: async () => undefined,
    discardCancelledIngestion: async () => ({ discarded: true }),
    revertFile: async (input) => ({
      revertedNow: true,
      revertedAt: '2026-03-05T10:00:00.000Z',
      reason: input.reason,
      outcome: { ordersRestored: 2, ordersDeleted: 1, ordersUnchanged: 0, customersRemoved: 1, productsRemoved: 0, daysAffected: 3 },
    }),
  };
  const all = { ...happy, ...overrides };
  return {
    hashAndClaim: jest.fn(all.hashAndClaim),
    parseToStaging: jest.fn(all.parseToStaging),
    parseRange: jest.fn(all.parseRange),
    finishParse: jest.fn(all.finishParse),
    loadFromStaging: jest.fn(all.loadFromStaging),
    aggregateDays: jest.fn(all.aggregateDays),
    markFileCompleted: jest.fn(all.markFileCompleted),
    markFileFailed: jest.fn(all.markFileFailed),
    discardCancelledIngestion: jest.fn(all.discardCancelledIngestion),
    revertFile: jest.fn(all.revertFile),
  };
}

/**
 * Heartbeats until the activity is cancelled, then throws the CancelledFailure, as a real stage
 * does. Bounded, so that a cancel that never arrives fails the test with a reason instead of a
 * jest timeout.
 */
export async function heartbeatUntilCancelled(limitMs = 20_000): Promise<never> {
  const context = Context.current();
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    context.heartbeat();
    await context.sleep(50); // rejects with CancelledFailure once the cancel has arrived
  }
  throw ApplicationFailure.nonRetryable(`no cancel reached the activity within ${limitMs} ms`, 'TestTimeout');
}

/** A promise with its resolver, for a test to wait until a mock has reached a point. */
export function signal(): { reached: Promise<void>; reach: () => void } {
  let reach = (): void => undefined;
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  return { reached, reach };
}

/** The names of the activities called, in the order the workflow called them. */
export function callOrder(activities: MockedActivities): string[] {
  const calls: Array<{ order: number; name: string }> = [];
  for (const [name, mock] of Object.entries(activities)) {
    for (const order of mock.mock.invocationCallOrder) calls.push({ order, name });
  }
  return calls.sort((a, b) => a.order - b.order).map(({ name }) => name);
}
