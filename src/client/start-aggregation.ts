import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { aggregateProgressQuery, type AggregateSalesProgress, type AggregateSalesResult, aggregateSalesWorkflowId } from '../workflows/aggregate-sales-contract.ts';
import { aggregateSalesWorkflow } from '../workflows/aggregate-sales.ts';
import { pollChanges } from './poll-changes.ts';
import { aggregationStartMetadata } from './start-metadata.ts';

export type AggregationHandle = WorkflowHandle<typeof aggregateSalesWorkflow>;
export type StartedAggregation = WorkflowHandleWithFirstExecutionRunId<typeof aggregateSalesWorkflow>;

const POLL_INTERVAL_MS = 1_000;

/**
 * Starts the recomputation of a date range now. The id is derived from the range, so starting
 * the same range while it runs attaches to that run instead of doing the work twice.
 */
export async function startAggregation(
  client: Client,
  taskQueue: string,
  range: { from: string; to: string; batchDays?: number },
): Promise<StartedAggregation> {
  return client.workflow.start(aggregateSalesWorkflow, {
    taskQueue,
    workflowId: aggregateSalesWorkflowId(range.from, range.to),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [range],
    ...aggregationStartMetadata(range),
  });
}

/**
 * Waits for the run (across continue-as-new) and reports progress from the workflow's query, which
 * always reaches the latest run of the chain.
 */
export async function awaitAggregation(
  handle: AggregationHandle,
  onProgress?: (progress: AggregateSalesProgress) => void,
): Promise<AggregateSalesResult> {
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  if (onProgress) void pollChanges(() => handle.query(aggregateProgressQuery), onProgress, () => finished, POLL_INTERVAL_MS);
  return result;
}
