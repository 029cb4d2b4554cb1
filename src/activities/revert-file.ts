import { ApplicationFailure } from '@temporalio/common';
import { revertFile as revertFileRows, type RevertResult } from '../db/revert-file.ts';
import { RevertRefusedError } from '../errors.ts';
import { RevertFailureTypes, type RevertFileInput } from '../workflows/revert-file-contract.ts';
import type { ActivityDeps } from './deps.ts';
import { heartbeatWhile } from './heartbeat.ts';

/**
 * The revert's database stage: one transaction (src/db/revert-file.ts), heartbeating while it runs.
 * Idempotent: a retry after its commit finds the file reverted and returns the recorded outcome.
 */
export function createRevertFile({ pool, pipeline, logger }: ActivityDeps) {
  return async function revertFile(input: RevertFileInput): Promise<RevertResult> {
    try {
      const result = await heartbeatWhile(
        revertFileRows(pool, input.fileId, {
          reason: input.reason,
          timeZone: pipeline.businessTimeZone,
          retentionDays: pipeline.revertRetentionDays ?? null,
        }),
      );
      logger.info({ stage: 'revert', fileId: input.fileId, revertedNow: result.revertedNow, ...result.outcome }, 'reverted file');
      return result;
    } catch (error) {
      if (error instanceof RevertRefusedError) {
        throw ApplicationFailure.create({ message: error.message, type: RevertFailureTypes.refused, nonRetryable: true, cause: error });
      }
      throw error;
    }
  };
}
