import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, upsertSearchAttributes, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { IngestSearchAttributes } from './ingest-file-contract.ts';
import { INFRASTRUCTURE_RETRY } from './retry-policy.ts';
import {
  RevertFailureTypes,
  revertProgressQuery,
  type RevertFileInput,
  type RevertProgress,
  type RevertStatus,
  type RevertSummary,
} from './revert-file-contract.ts';

const retry: ActivityOptions['retry'] = { ...INFRASTRUCTURE_RETRY, nonRetryableErrorTypes: [RevertFailureTypes.refused] };

// Both stages heartbeat (the revert while its transaction runs, the aggregate per chunk of days):
// a dead worker is noticed within the heartbeat timeout and the stage retried elsewhere.
const { revertFile } = proxyActivities<Activities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '20 seconds', retry });
const { aggregateDays } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry });

/**
 * Reverts one loaded file: the database stage puts every table back as if the file had never been
 * loaded and records the business days that changed, then those days are re-aggregated as a load's
 * are (by file id). Its id is derived from the file id, so one file has at most one revert running.
 * Both stages are idempotent, so a retry after a crash or an outage finishes the same revert; a
 * second revert of the same file changes nothing and reports the first.
 */
export async function revertFileWorkflow(input: RevertFileInput): Promise<RevertSummary> {
  const progress: RevertProgress = { stage: 'queued', fileId: input.fileId, daysAggregated: 0 };
  setHandler(revertProgressQuery, () => progress);
  const publish = (status: RevertStatus) => upsertSearchAttributes([{ key: IngestSearchAttributes.ingestStatus, value: status }]);
  upsertSearchAttributes([{ key: IngestSearchAttributes.ingestionFileId, value: input.fileId }]);
  publish('reverting');

  try {
    progress.stage = 'revert';
    const reverted = await revertFile(input);
    progress.stage = 'aggregate';
    const aggregated = await aggregateDays({ fileId: input.fileId });
    progress.daysAggregated = aggregated.daysAggregated;
    progress.stage = 'done';
    publish('reverted');
    return {
      fileId: input.fileId,
      status: 'reverted',
      revertedNow: reverted.revertedNow,
      revertedAt: reverted.revertedAt,
      reason: reverted.reason,
      ...reverted.outcome,
      daysAggregated: aggregated.daysAggregated,
    };
  } catch (error) {
    progress.stage = 'done';
    // The workflow fails with the reason the person can act on (a refusal's own message and type).
    const cause = error instanceof ActivityFailure ? error.cause : error;
    throw ApplicationFailure.create({
      message: cause instanceof Error ? cause.message : String(cause),
      type: cause instanceof ApplicationFailure && cause.type ? cause.type : 'RevertFailed',
      nonRetryable: true,
    });
  }
}
