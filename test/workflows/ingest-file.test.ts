import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IngestFailureTypes, type IngestFileInput, type IngestProgress, ingestProgressQuery, IngestSearchAttributes, type IngestSummary, ingestWorkflowId } from '../../src/workflows/ingest-file-contract.ts';
import { ingestFileWorkflow } from '../../src/workflows/ingest-file.ts';
import { createMockWorker, prebuiltWorkflowBundle, startWorkflowTestEnv } from '../support/workflow-test-env.ts';
import { AFFECTED_DATES, callOrder, FILE_ID, heartbeatUntilCancelled, mockActivities, signal, type MockedActivities } from './mock-activities.ts';

/**
 * IngestFileWorkflow's every branch against stand-in activities on a real dev server: what it
 * calls, in which order and with what, what it returns or fails with, what its progress query
 * and search attributes say along the way.
 */

let env: TestWorkflowEnvironment;
let workflowBundle: { codePath: string };

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startWorkflowTestEnv(), prebuiltWorkflowBundle()]);
});

afterAll(async () => {
  await env?.teardown();
});

type IngestHandle = WorkflowHandle<typeof ingestFileWorkflow>;

let files = 0;
function newInput(): IngestFileInput {
  files += 1;
  const contentHash = `${String(files).padStart(4, '0')}${'ab'.repeat(30)}`;
  return { objectKey: `uploads/${contentHash}/orders-${files}.csv`, filename: `orders-${files}.csv`, contentHash };
}

/** Starts the workflow on a worker running `activities` and hands its handle to `body`. */
async function withIngestion<T>(
  activities: MockedActivities,
  body: (handle: IngestHandle, input: IngestFileInput) => Promise<T>,
): Promise<T> {
  const worker = await createMockWorker(env, workflowBundle, activities);
  const input = newInput();
  return worker.run(async () => {
    const handle = await env.client.workflow.start(ingestFileWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: ingestWorkflowId(input.contentHash),
      args: [input],
    });
    return body(handle, input);
  });
}

async function searchAttributes(handle: Pick<IngestHandle, 'describe'>) {
  const attributes = (await handle.describe()).typedSearchAttributes;
  return {
    status: attributes.get(IngestSearchAttributes.ingestStatus),
    fileId: attributes.get(IngestSearchAttributes.ingestionFileId),
    filename: attributes.get(IngestSearchAttributes.filename),
    contentHash: attributes.get(IngestSearchAttributes.contentHash),
    rowsRead: attributes.get(IngestSearchAttributes.rowsRead),
    rowsLoaded: attributes.get(IngestSearchAttributes.rowsLoaded),
    rowsRejected: attributes.get(IngestSearchAttributes.rowsRejected),
  };
}

/** What a client sees of the running workflow while an activity of it runs. */
async function observeFromActivity(): Promise<{ progress: IngestProgress; status: string | undefined }> {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('the activity runs outside a workflow');
  const handle = env.client.workflow.getHandle(execution.workflowId);
  const [progress, attributes] = await Promise.all([handle.query(ingestProgressQuery), searchAttributes(handle)]);
  return { progress, status: attributes.status };
}

async function failureOf(handle: IngestHandle): Promise<WorkflowFailedError> {
  const error = await handle.result().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof WorkflowFailedError)) throw new Error(`expected the workflow to fail, got ${String(error)}`);
  return error;
}

const summary = (input: IngestFileInput, fields: Partial<IngestSummary>): IngestSummary => ({
  fileId: FILE_ID,
  filename: input.filename,
  status: 'completed',
  rowsRead: 0,
  rowsLoaded: 0,
  rowsRejected: 0,
  duplicateOf: null,
  aggregatedDays: 0,
  error: null,
  ...fields,
});

describe('IngestFileWorkflow', () => {
  it('runs hash-dedupe, parse, load and aggregate, then records the file completed', async () => {
    const seen: Record<string, Awaited<ReturnType<typeof observeFromActivity>>> = {};
    const base = mockActivities();
    const observing =
      <A, R>(stage: string, activity: (input: A) => Promise<R>) =>
      async (input: A): Promise<R> => {
        seen[stage] = await observeFromActivity();
        return activity(input);
      };
    const activities = mockActivities({
      hashAndClaim: observing('hash-dedupe', base.hashAndClaim),
      parseToStaging: observing('parse', base.parseToStaging),
      loadFromStaging: observing('load', base.loadFromStaging),
      aggregateDays: observing('aggregate', base.aggregateDays),
    });

    await withIngestion(activities, async (handle, input) => {
      expect(await handle.result()).toEqual(
        summary(input, { status: 'completed', rowsRead: 10, rowsLoaded: 8, rowsRejected: 2, aggregatedDays: AFFECTED_DATES.length }),
      );

      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseToStaging', 'loadFromStaging', 'aggregateDays', 'markFileCompleted']);
      // The claim also names the execution chain, by the run id a Web UI reset keeps.
      const { runId } = await handle.describe();
      expect(activities.hashAndClaim.mock.calls).toEqual([[{ ...input, claimedBy: runId }]]);
      expect(activities.parseToStaging.mock.calls).toEqual([
        [{ fileId: FILE_ID, objectKey: input.objectKey, filename: input.filename }],
      ]);
      expect(activities.loadFromStaging.mock.calls).toEqual([[{ fileId: FILE_ID }]]);
      expect(activities.aggregateDays.mock.calls).toEqual([[{ fileId: FILE_ID }]]);
      expect(activities.markFileCompleted.mock.calls).toEqual([[{ fileId: FILE_ID }]]);

      const progress = (stage: IngestProgress['stage'], counts: Partial<IngestProgress> = {}): IngestProgress => ({
        stage,
        fileId: FILE_ID,
        rowsRead: 0,
        rowsLoaded: 0,
        rowsRejected: 0,
        ...counts,
      });
      expect(seen).toEqual({
        'hash-dedupe': { progress: progress('hash-dedupe', { fileId: null }), status: 'processing' },
        parse: { progress: progress('parse'), status: 'parsing' },
        load: { progress: progress('load', { rowsRead: 10, rowsRejected: 2 }), status: 'loading' },
        aggregate: { progress: progress('aggregate', { rowsRead: 10, rowsLoaded: 8, rowsRejected: 2 }), status: 'aggregating' },
      });
      expect(await handle.query(ingestProgressQuery)).toEqual(progress('done', { rowsRead: 10, rowsLoaded: 8, rowsRejected: 2 }));
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(await searchAttributes(handle)).toEqual({
        status: 'completed',
        fileId: FILE_ID,
        filename: input.filename,
        contentHash: input.contentHash,
        rowsRead: 10,
        rowsLoaded: 8,
        rowsRejected: 2,
      });
    });
  });

  it('ends as a duplicate, touching nothing, when the content was ingested before', async () => {
    const original = '00000000-0000-4000-8000-0000000000aa';
    const activities = mockActivities({ hashAndClaim: async () => ({ fileId: FILE_ID, duplicateOf: original }) });

    await withIngestion(activities, async (handle, input) => {
      expect(await handle.result()).toEqual(summary(input, { status: 'duplicate', duplicateOf: original }));
      expect(callOrder(activities)).toEqual(['hashAndClaim']);
      expect((await handle.query(ingestProgressQuery)).stage).toBe('done');
      expect(await searchAttributes(handle)).toMatchObject({ status: 'duplicate', fileId: FILE_ID, rowsRead: 0 });
    });
  });

  it('fails with the read and rejected counts when too many rows were rejected', async () => {
    const message = 'orders.csv: 7 of 10 rows (70.0%) were rejected, above the limit of 5.0%';
    const activities = mockActivities({
      parseToStaging: async () => {
        throw ApplicationFailure.create({
          message,
          type: IngestFailureTypes.tooManyRejects,
          nonRetryable: true,
          details: [{ rejectedRows: 7, dataRows: 10 }],
        });
      },
    });

    await withIngestion(activities, async (handle, input) => {
      const error = await failureOf(handle);
      expect(error.cause).toBeInstanceOf(ApplicationFailure);
      const failure = error.cause as ApplicationFailure;
      expect(failure.type).toBe(IngestFailureTypes.tooManyRejects);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(message);
      expect(failure.details).toEqual([summary(input, { status: 'failed', rowsRead: 10, rowsRejected: 7, error: message })]);

      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseToStaging', 'markFileFailed']);
      expect(activities.markFileFailed.mock.calls).toEqual([[{ fileId: FILE_ID, errorMessage: message }]]);
      expect((await handle.describe()).status.name).toBe('FAILED');
      expect(await searchAttributes(handle)).toMatchObject({ status: 'failed', rowsRead: 10, rowsLoaded: 0, rowsRejected: 7 });
      expect(await handle.query(ingestProgressQuery)).toMatchObject({ stage: 'done', rowsRead: 10, rowsRejected: 7 });
    });
  });

  // Thrown retryable on purpose: the workflow's own retry policy must refuse to retry these types.
  it.each([IngestFailureTypes.invalidFile, IngestFailureTypes.missingObject])('fails a %s file at once, without retrying it', async (type) => {
    const message = 'orders.csv, line 1: the header lacks the columns order_date, sku';
    const activities = mockActivities({
      parseToStaging: async () => {
        if (Context.current().info.attempt > 1) throw ApplicationFailure.nonRetryable('the parse was retried', 'Retried');
        throw ApplicationFailure.retryable(message, type);
      },
    });

    await withIngestion(activities, async (handle, input) => {
      const failure = (await failureOf(handle)).cause as ApplicationFailure;
      expect(failure.type).toBe(type);
      expect(failure.details).toEqual([summary(input, { status: 'failed', error: message })]);
      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseToStaging', 'markFileFailed']);
      expect(activities.markFileFailed.mock.calls).toEqual([[{ fileId: FILE_ID, errorMessage: message }]]);
      expect(await searchAttributes(handle)).toMatchObject({ status: 'failed', rowsRead: 0, rowsRejected: 0 });
    });
  });

  it('retries a stage that failed for an infrastructure reason, and the file completes', async () => {
    const base = mockActivities();
    const activities = mockActivities({
      loadFromStaging: async (input) => {
        if (Context.current().info.attempt === 1) throw new Error('connection terminated unexpectedly');
        return base.loadFromStaging(input);
      },
    });

    await withIngestion(activities, async (handle) => {
      expect((await handle.result()).status).toBe('completed');
      expect(activities.loadFromStaging).toHaveBeenCalledTimes(2);
      expect(activities.markFileFailed).not.toHaveBeenCalled();
    });
  });

  it('keeps the loaded count in the failure when the aggregate stage fails after the load', async () => {
    const activities = mockActivities({
      aggregateDays: async () => {
        throw ApplicationFailure.nonRetryable('sales_aggregates_daily is missing', 'UndefinedTable');
      },
    });

    await withIngestion(activities, async (handle, input) => {
      const failure = (await failureOf(handle)).cause as ApplicationFailure;
      expect(failure.type).toBe('UndefinedTable');
      expect(failure.details).toEqual([
        summary(input, { status: 'failed', rowsRead: 10, rowsLoaded: 8, rowsRejected: 2, error: 'sales_aggregates_daily is missing' }),
      ]);
      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseToStaging', 'loadFromStaging', 'aggregateDays', 'markFileFailed']);
      expect(await searchAttributes(handle)).toMatchObject({ status: 'failed', rowsLoaded: 8 });
    });
  });

  it('fails without bookkeeping when the object is gone before a file row exists', async () => {
    const activities = mockActivities({
      hashAndClaim: async (input) => {
        throw ApplicationFailure.nonRetryable(`object ${input.objectKey} does not exist in the bucket`, IngestFailureTypes.missingObject);
      },
    });

    await withIngestion(activities, async (handle) => {
      const error = await failureOf(handle);
      expect(error.cause).toBeInstanceOf(ActivityFailure);
      expect((error.cause?.cause as ApplicationFailure).type).toBe(IngestFailureTypes.missingObject);
      expect(callOrder(activities)).toEqual(['hashAndClaim']);
    });
  });
});

describe('IngestFileWorkflow cancelled', () => {
  it.each(['parse', 'load'] as const)('discards the file and ends cancelled when cancelled during its %s', async (stage) => {
    const started = signal();
    const waitForCancel = async (): Promise<never> => {
      started.reach();
      return heartbeatUntilCancelled();
    };
    const activities = mockActivities(stage === 'parse' ? { parseToStaging: waitForCancel } : { loadFromStaging: waitForCancel });

    await withIngestion(activities, async (handle) => {
      await started.reached;
      await handle.cancel();
      const error = await failureOf(handle);
      expect(error.cause).toBeInstanceOf(CancelledFailure);

      expect(callOrder(activities)).toEqual([
        'hashAndClaim',
        'parseToStaging',
        ...(stage === 'load' ? ['loadFromStaging'] : []),
        'discardCancelledIngestion',
      ]);
      expect(activities.discardCancelledIngestion.mock.calls).toEqual([[{ fileId: FILE_ID }]]);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect((await searchAttributes(handle)).status).toBe('cancelled');
      expect((await handle.query(ingestProgressQuery)).stage).toBe('done');
    });
  });

  it('counts a stage that failed while the cancel was pending as cancelled', async () => {
    const started = signal();
    const activities = mockActivities({
      parseToStaging: async () => {
        started.reach();
        await heartbeatUntilCancelled().catch(() => undefined);
        throw ApplicationFailure.nonRetryable('the object store closed the stream');
      },
    });

    await withIngestion(activities, async (handle) => {
      await started.reached;
      await handle.cancel();
      expect((await failureOf(handle)).cause).toBeInstanceOf(CancelledFailure);
      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseToStaging', 'discardCancelledIngestion']);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect((await searchAttributes(handle)).status).toBe('cancelled');
    });
  });

  it('finishes the file when its load had committed before the cancel arrived', async () => {
    const started = signal();
    const base = mockActivities();
    const committed = { rowsLoaded: 8, ordersLoaded: 3, alreadyLoaded: true };
    const activities = mockActivities({
      loadFromStaging: async (input) => {
        if (activities.loadFromStaging.mock.calls.length > 1) return committed;
        started.reach();
        await base.loadFromStaging(input);
        return heartbeatUntilCancelled();
      },
      discardCancelledIngestion: async () => ({ discarded: false }),
    });

    await withIngestion(activities, async (handle, input) => {
      await started.reached;
      await handle.cancel();
      expect(await handle.result()).toEqual(
        summary(input, { status: 'completed', rowsRead: 10, rowsLoaded: 8, rowsRejected: 2, aggregatedDays: AFFECTED_DATES.length }),
      );
      expect(callOrder(activities)).toEqual([
        'hashAndClaim',
        'parseToStaging',
        'loadFromStaging',
        'discardCancelledIngestion',
        'loadFromStaging',
        'aggregateDays',
        'markFileCompleted',
      ]);
      expect(activities.discardCancelledIngestion.mock.calls).toEqual([[{ fileId: FILE_ID }]]);
      expect(activities.loadFromStaging.mock.calls).toEqual([[{ fileId: FILE_ID }], [{ fileId: FILE_ID }]]);
      // The dates come from the load as recorded, read again after the cancel.
      expect(activities.aggregateDays.mock.calls).toEqual([[{ fileId: FILE_ID }]]);
      expect(activities.markFileCompleted.mock.calls).toEqual([[{ fileId: FILE_ID }]]);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(await searchAttributes(handle)).toMatchObject({ status: 'completed', rowsLoaded: 8 });
    });
  });
});

describe('IngestFileWorkflow with a file in parts', () => {
  const inParts = (parseRanges: number): Partial<Parameters<typeof mockActivities>[0]> => ({
    hashAndClaim: async () => ({ fileId: FILE_ID, duplicateOf: null, parseRanges }),
  });
  const badInput = (message: string) => ApplicationFailure.nonRetryable(message, IngestFailureTypes.invalidFile);

  it('parses every part side by side, then finishes the parse once, with the same summary and attributes', async () => {
    const allStarted = signal();
    let started = 0;
    const base = mockActivities();
    const activities = mockActivities({
      ...inParts(3),
      parseRange: async (input) => {
        started += 1;
        if (started === 3) allStarted.reach();
        // No part finishes before every part has started: they were scheduled together.
        await Promise.race([allStarted.reached, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        return base.parseRange(input);
      },
    });

    await withIngestion(activities, async (handle, input) => {
      expect(await handle.result()).toEqual(
        summary(input, { status: 'completed', rowsRead: 10, rowsLoaded: 8, rowsRejected: 2, aggregatedDays: 3 }),
      );
      expect(started).toBe(3);
      expect(callOrder(activities)).toEqual([
        'hashAndClaim',
        'parseRange',
        'parseRange',
        'parseRange',
        'finishParse',
        'loadFromStaging',
        'aggregateDays',
        'markFileCompleted',
      ]);
      const parseInput = { fileId: FILE_ID, objectKey: input.objectKey, filename: input.filename };
      expect(activities.parseRange.mock.calls.map(([call]) => call).sort((a, b) => a.rangeIndex - b.rangeIndex)).toEqual([
        { ...parseInput, rangeIndex: 0 },
        { ...parseInput, rangeIndex: 1 },
        { ...parseInput, rangeIndex: 2 },
      ]);
      expect(activities.finishParse.mock.calls).toEqual([[{ ...parseInput, rowsRead: 10 }]]);
      expect(activities.parseToStaging).not.toHaveBeenCalled();
      expect(await searchAttributes(handle)).toMatchObject({ status: 'completed', rowsRead: 10, rowsLoaded: 8, rowsRejected: 2 });
    });
  });

  it('parses a one-part file with the single parse', async () => {
    const activities = mockActivities(inParts(1));
    await withIngestion(activities, async (handle) => {
      expect((await handle.result()).status).toBe('completed');
      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseToStaging', 'loadFromStaging', 'aggregateDays', 'markFileCompleted']);
    });
  });

  it('fails with the earliest failing part, even when a later part failed first', async () => {
    const laterFailed = signal();
    const activities = mockActivities({
      ...inParts(3),
      parseRange: async (input) => {
        if (input.rangeIndex === 2) {
          laterFailed.reach();
          throw badInput('orders.csv, line 900: a quote appears inside an unquoted field');
        }
        if (input.rangeIndex === 1) {
          await laterFailed.reached;
          throw badInput('orders.csv, line 400: the file is not valid UTF-8');
        }
        return { rowsRead: 4 };
      },
    });

    await withIngestion(activities, async (handle, input) => {
      const failure = (await failureOf(handle)).cause as ApplicationFailure;
      const message = 'orders.csv, line 400: the file is not valid UTF-8';
      expect(failure.type).toBe(IngestFailureTypes.invalidFile);
      expect(failure.message).toBe(message);
      expect(failure.details).toEqual([summary(input, { status: 'failed', error: message })]);
      expect(activities.finishParse).not.toHaveBeenCalled();
      expect(activities.markFileFailed.mock.calls).toEqual([[{ fileId: FILE_ID, errorMessage: message }]]);
      expect(await searchAttributes(handle)).toMatchObject({ status: 'failed', rowsRead: 0, rowsRejected: 0 });
    });
  });

  it('cancels the parts after a failed one, and fails with its message', async () => {
    const cancelledParts: number[] = [];
    const laterStarted = signal();
    let later = 0;
    const activities = mockActivities({
      ...inParts(3),
      parseRange: async (input) => {
        if (input.rangeIndex === 0) {
          await laterStarted.reached;
          throw badInput('orders.csv, line 1: the header lacks the column sku');
        }
        later += 1;
        if (later === 2) laterStarted.reach();
        try {
          return await heartbeatUntilCancelled();
        } catch (error) {
          if (error instanceof CancelledFailure) cancelledParts.push(input.rangeIndex);
          throw error;
        }
      },
    });

    await withIngestion(activities, async (handle) => {
      const failure = (await failureOf(handle)).cause as ApplicationFailure;
      expect(failure.message).toBe('orders.csv, line 1: the header lacks the column sku');
      expect(cancelledParts.sort()).toEqual([1, 2]);
      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseRange', 'parseRange', 'parseRange', 'markFileFailed']);
      expect((await handle.describe()).status.name).toBe('FAILED');
    });
  });

  it('discards the file and ends cancelled when cancelled while its parts run', async () => {
    const started = signal();
    let running = 0;
    const activities = mockActivities({
      ...inParts(2),
      parseRange: async () => {
        running += 1;
        if (running === 2) started.reach();
        return heartbeatUntilCancelled();
      },
    });

    await withIngestion(activities, async (handle) => {
      await started.reached;
      await handle.cancel();
      expect((await failureOf(handle)).cause).toBeInstanceOf(CancelledFailure);
      expect(callOrder(activities)).toEqual(['hashAndClaim', 'parseRange', 'parseRange', 'discardCancelledIngestion']);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect((await searchAttributes(handle)).status).toBe('cancelled');
    });
  });
});
