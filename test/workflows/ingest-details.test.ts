import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { rejectsReportKey } from '../../src/storage/object-keys.ts';
import { aggregateSalesWorkflow } from '../../src/workflows/aggregate-sales.ts';
import { IngestFailureTypes, type IngestFileInput, IngestSearchAttributes, ingestWorkflowId } from '../../src/workflows/ingest-file-contract.ts';
import { ingestFileWorkflow } from '../../src/workflows/ingest-file.ts';
import { createMockWorker, prebuiltWorkflowBundle, startWorkflowTestEnv } from '../support/workflow-test-env.ts';
import { AFFECTED_DATES, callOrder, FILE_ID, mockActivities, type MockedActivities } from './mock-activities.ts';

/**
 * What the Web UI shows of a workflow besides its events: the current details the workflow keeps
 * up to date (read, as the UI reads them, through the SDK's built-in metadata query) and the
 * summary each scheduled activity carries on the timeline.
 */

let env: TestWorkflowEnvironment;
let workflowBundle: { codePath: string };

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startWorkflowTestEnv(), prebuiltWorkflowBundle()]);
});

afterAll(async () => {
  await env?.teardown();
});

type Handle = Pick<WorkflowHandle, 'query' | 'fetchHistory'>;

/** The query the Web UI sends for a workflow's page. */
async function currentDetails(handle: Pick<WorkflowHandle, 'query'>): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

/** The details as they stand while an activity of the workflow runs. */
async function detailsFromActivity(): Promise<string> {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('the activity runs outside a workflow');
  return currentDetails(env.client.workflow.getHandle(execution.workflowId));
}

async function activitySummaries(handle: Handle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const payload = event.activityTaskScheduledEventAttributes ? event.userMetadata?.summary : undefined;
    return payload ? [defaultPayloadConverter.fromPayload<string>(payload)] : [];
  });
}

let files = 0;
function newInput(): IngestFileInput {
  files += 1;
  const contentHash = `${String(files).padStart(4, '0')}${'cd'.repeat(30)}`;
  return { objectKey: `uploads/${contentHash}/orders-nov-${files}.csv`, filename: `orders-nov-${files}.csv`, contentHash };
}

async function withIngestion<T>(
  activities: MockedActivities,
  body: (handle: WorkflowHandle<typeof ingestFileWorkflow>, input: IngestFileInput) => Promise<T>,
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

describe("IngestFileWorkflow's current details", () => {
  it('say what is happening at every stage, then the outcome with its counts, report and commands', async () => {
    const seen: Record<string, string> = {};
    const base = mockActivities();
    const observing =
      <A, R>(stage: string, activity: (input: A) => Promise<R>) =>
      async (input: A): Promise<R> => {
        seen[stage] = await detailsFromActivity();
        return activity(input);
      };
    const activities = mockActivities({
      hashAndClaim: observing('hash', base.hashAndClaim),
      parseToStaging: observing('parse', base.parseToStaging),
      loadFromStaging: observing('load', base.loadFromStaging),
      aggregateDays: observing('aggregate', base.aggregateDays),
    });

    await withIngestion(activities, async (handle, { filename }) => {
      await handle.result();
      expect(seen.hash).toBe(`${filename}: hashing and claiming…`);
      expect(seen.parse).toBe(`${filename}: parsing…\n- File id: \`${FILE_ID}\`\n- More: \`pipeforge status ${FILE_ID}\``);
      expect(seen.load?.split('\n')[0]).toBe(`${filename}: 10 rows, 2 rejected; loading…`);
      expect(seen.load).toContain(`- Rejects report: \`rejects/${FILE_ID}.csv\``);
      expect(seen.aggregate?.split('\n')[0]).toBe(`${filename}: 8 rows loaded; aggregating its days…`);
      expect(await currentDetails(handle)).toBe(
        [
          `${filename}: 10 rows, 2 rejected, completed`,
          `- File id: \`${FILE_ID}\``,
          '- Rows read: 10',
          '- Rows rejected: 2',
          '- Rows loaded: 8',
          `- Days aggregated: ${AFFECTED_DATES.length}`,
          `- Rejects report: \`rejects/${FILE_ID}.csv\` (in the bucket)`,
          `- More: \`pipeforge status ${FILE_ID}\`, \`pipeforge rejects ${FILE_ID}\``,
        ].join('\n'),
      );
    });
  });

  it("name a refused file's reason, its rejects report and the command to read the rejects", async () => {
    const message = `orders.csv: 7 of 10 rows (70.0%) were rejected; run \`pipeforge rejects ${FILE_ID}\``;
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
      await handle.result().catch(() => undefined);
      const details = await currentDetails(handle);
      expect(details.split('\n')[0]).toBe(`${input.filename}: failed: ${message}`);
      expect(details).toContain('- Rows rejected: 7');
      expect(details).toContain(`- Rejects report: \`${rejectsReportKey(input.objectKey)}\` (in the bucket)`);
      expect(details).toContain(`\`pipeforge rejects ${FILE_ID}\``);
    });
  });

  it('say a duplicate is one, and of which file', async () => {
    const original = '00000000-0000-4000-8000-0000000000aa';
    const activities = mockActivities({ hashAndClaim: async () => ({ fileId: FILE_ID, duplicateOf: original }) });
    await withIngestion(activities, async (handle, input) => {
      await handle.result();
      expect((await currentDetails(handle)).split('\n')[0]).toBe(
        `${input.filename}: duplicate of file ${original}, nothing loaded again`,
      );
    });
  });
});

describe('IngestFileWorkflow re-run after it completed (a Web UI reset)', () => {
  it('reports the recorded outcome as completed, redoes nothing, and leaves the search attributes as the first run set them', async () => {
    const completedBefore = { rowsRead: 300_000, rowsLoaded: 299_988, rowsRejected: 12, aggregatedDays: 30 };
    const activities = mockActivities({
      hashAndClaim: async () => ({ fileId: FILE_ID, duplicateOf: null, parseRanges: 1, completedBefore }),
    });
    await withIngestion(activities, async (handle, input) => {
      const { aggregatedDays, ...counts } = completedBefore;
      expect(await handle.result()).toEqual({
        fileId: FILE_ID,
        filename: input.filename,
        status: 'completed',
        ...counts,
        duplicateOf: null,
        aggregatedDays,
        error: null,
      });
      expect(callOrder(activities)).toEqual(['hashAndClaim']);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(IngestSearchAttributes.ingestStatus)).toBe('completed');
      expect(attributes.get(IngestSearchAttributes.rowsRead)).toBe(300_000);
      expect(attributes.get(IngestSearchAttributes.rowsLoaded)).toBe(299_988);
      expect(attributes.get(IngestSearchAttributes.rowsRejected)).toBe(12);
      expect(attributes.get(IngestSearchAttributes.ingestionFileId)).toBe(FILE_ID);
      const details = await currentDetails(handle);
      expect(details.split('\n')[0]).toBe(`${input.filename}: 300,000 rows, 12 rejected, completed`);
      expect(details).toContain('- Days aggregated: 30');
      expect(details).toContain('- Reset after it had completed: the recorded outcome, nothing loaded again');
    });
  });
});

describe('activity summaries', () => {
  it("name the file and what each of its activities does, on the workflow's timeline", async () => {
    await withIngestion(mockActivities(), async (handle, { filename }) => {
      await handle.result();
      expect(await activitySummaries(handle)).toEqual([
        `${filename}: hash the stored bytes and claim the content`,
        `${filename}: parse and validate every line into staging`,
        `${filename}: load the staged rows into orders`,
        `${filename}: recompute the daily sales of its days`,
        `${filename}: record the file as completed`,
      ]);
    });
  });

  it('number the parts of a file parsed in parts', async () => {
    const activities = mockActivities({ hashAndClaim: async () => ({ fileId: FILE_ID, duplicateOf: null, parseRanges: 3 }) });
    await withIngestion(activities, async (handle, { filename }) => {
      await handle.result();
      const summaries = await activitySummaries(handle);
      expect(summaries.slice(1, 5).sort()).toEqual([
        `${filename}: check whole orders, count rows and write the rejects report`,
        `${filename}: parse part 1 of 3 into staging`,
        `${filename}: parse part 2 of 3 into staging`,
        `${filename}: parse part 3 of 3 into staging`,
      ]);
    });
  });
});

describe("AggregateSalesWorkflow's details and summaries", () => {
  it('count the days recomputed and name each batch', async () => {
    const activities = mockActivities();
    const worker = await createMockWorker(env, workflowBundle, activities);
    await worker.run(async () => {
      const handle = await env.client.workflow.start(aggregateSalesWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId: `aggregate-details-${worker.taskQueue}`,
        args: [{ from: '2026-03-01', to: '2026-03-05', batchDays: 3 }],
      });
      await handle.result();
      expect(await currentDetails(handle)).toBe('Sales aggregates 2026-03-01..2026-03-05: 5 of 5 days recomputed, completed');
      expect(await activitySummaries(handle)).toEqual([
        'recompute the daily sales of 2026-03-01..2026-03-03 (3 days)',
        'recompute the daily sales of 2026-03-04..2026-03-05 (2 days)',
      ]);
    });
  });
});
