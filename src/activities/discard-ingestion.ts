import { discardFile } from '../db/ingestion-files.ts';
import type { DiscardOutcome } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';

export type DiscardInput = { fileId: string };

/** The cleanup after a cancel: every trace of the file goes unless its load began to commit (discardFile). */
export function createDiscardIngestion({ pool, logger }: ActivityDeps) {
  return async function discardCancelledIngestion(input: DiscardInput): Promise<DiscardOutcome> {
    const outcome: DiscardOutcome = { discarded: await discardFile(pool, input.fileId) };
    logger.info({ fileId: input.fileId, stage: 'cancel', ...outcome }, outcome.discarded ? 'discarded cancelled file' : 'cancel too late: load committed');
    return outcome;
  };
}
