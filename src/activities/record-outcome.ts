import { markCompleted, markFailed } from '../db/ingestion-files.ts';
import type { ActivityDeps } from './deps.ts';

/**
 * The final state is also written to ingestion_files for SQL users; workflow state stays the
 * source of truth for progress.
 */
export function createRecordOutcome({ pool }: ActivityDeps) {
  return {
    async markFileCompleted(input: { fileId: string }): Promise<void> {
      await markCompleted(pool, input.fileId);
    },
    async markFileFailed(input: { fileId: string; errorMessage: string }): Promise<void> {
      await markFailed(pool, input.fileId, input.errorMessage);
    },
  };
}
