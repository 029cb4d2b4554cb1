import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IngestSearchAttributes } from '../../src/workflows/ingest-file-contract.ts';
import {
  RevertFailureTypes,
  revertProgressQuery,
  revertWorkflowId,
  type RevertFileInput,
  type RevertProgress,
} from '../../src/workflows/revert-file-contract.ts';
import { revertFileWorkflow } from '../../src/workflows/revert-file.ts';
import { createMockWorker, prebuiltWorkflowBundle, startWorkflowTestEnv } from '../support/workflow-test-env.ts';
import { callOrder, mockActivities, type MockedActivities } from './mock-activities.ts';

/** RevertFileWorkflow against stand-in activities on a real dev server. */

let env: TestWorkflowEnvironment;
let workflowBundle: { codePath: string };

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([startWorkflowTestEnv(), prebuiltWorkflowBundle()]);
});

afterAll(async () => {
  await env?.teardown();
});

let runs = 0;
async function withRevert<T>(
  activities: MockedActivities,
  body: (handle: Awaited<ReturnType<typeof env.client.workflow.start<typeof revertFileWorkflow>>>, input: RevertFileInput) => Promise<T>,
): Promise<T> {
  runs += 1;
  const input: RevertFileInput = { fileId: `00000000-0000-4000-8000-${String(runs).padStart(12, '0')}`, reason: 'wrong shop' };
  const worker = await createMockWorker(env, workflowBundle, activities);
  return worker.run(async () => {
    const handle = await env.client.workflow.start(revertFileWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: revertWorkflowId(input.fileId),
      args: [input],
    });
    return body(handle, input);
  });
}

describe('RevertFileWorkflow', () => {
  it('reverts, then re-aggregates the days by file id, and reports the counts', async () => {
    const activities = mockActivities();
    await withRevert(activities, async (handle, input) => {
      const summary = await handle.result();
      expect(summary).toEqual({
        fileId: input.fileId,
        status: 'reverted',
        revertedNow: true,
        revertedAt: '2026-03-05T10:00:00.000Z',
        reason: 'wrong shop',
        ordersRestored: 2,
        ordersDeleted: 1,
        ordersUnchanged: 0,
        customersRemoved: 1,
        productsRemoved: 0,
        daysAffected: 3,
        daysAggregated: 3,
      });
      expect(callOrder(activities)).toEqual(['revertFile', 'aggregateDays']);
      expect(activities.revertFile.mock.calls[0]?.[0]).toEqual(input);
      expect(activities.aggregateDays.mock.calls[0]?.[0]).toEqual({ fileId: input.fileId });
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(IngestSearchAttributes.ingestStatus)).toBe('reverted');
      expect(attributes.get(IngestSearchAttributes.ingestionFileId)).toBe(input.fileId);
      expect(await handle.query(revertProgressQuery)).toEqual({ stage: 'done', fileId: input.fileId, daysAggregated: 3 });
    });
  });

  it('shows its stage while the revert runs and is retried after an infrastructure failure', async () => {
    const seen: RevertProgress[] = [];
    let attempts = 0;
    const activities = mockActivities({
      revertFile: async (input) => {
        attempts += 1;
        const execution = Context.current().info.workflowExecution;
        if (!execution) throw new Error('outside a workflow');
        seen.push(await env.client.workflow.getHandle(execution.workflowId).query(revertProgressQuery));
        if (attempts === 1) throw new Error('connection terminated unexpectedly');
        return {
          revertedNow: false,
          revertedAt: '2026-03-05T10:00:00.000Z',
          reason: 'first reason',
          outcome: { ordersRestored: 0, ordersDeleted: 4, ordersUnchanged: 0, customersRemoved: 0, productsRemoved: 0, daysAffected: 1 },
        };
      },
    });
    await withRevert(activities, async (handle, input) => {
      const summary = await handle.result();
      expect(attempts).toBe(2);
      expect(seen[0]).toEqual({ stage: 'revert', fileId: input.fileId, daysAggregated: 0 });
      expect(summary).toMatchObject({ revertedNow: false, reason: 'first reason', ordersDeleted: 4 });
    });
  });

  it('fails at once with the reason when the revert is refused', async () => {
    const activities = mockActivities({
      revertFile: async () => {
        throw ApplicationFailure.create({ message: 'file X is failed; only a file that loaded', type: RevertFailureTypes.refused, nonRetryable: true });
      },
    });
    await withRevert(activities, async (handle) => {
      const failure = await handle.result().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(RevertFailureTypes.refused);
      expect(cause?.message).toContain('is failed');
      expect(activities.revertFile).toHaveBeenCalledTimes(1);
      expect(activities.aggregateDays).not.toHaveBeenCalled();
    });
  });
});
