import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { DiscardOutcome } from '../workflows/ingest-file-contract.ts';
import type { ActivityDeps } from './deps.ts';

export type DiscardInput = { fileId: string };

const fileState = z.object({ loaded: z.boolean() });

/**
 * Removes every trace of a cancelled ingestion: its staging rows, rejects, affected dates and its
 * ingestion_files row, as if it had never started. A file whose load already committed is left
 * alone, as is one whose load has begun to commit its chunks: undoing either would need the orders
 * they replaced, which are gone, so the workflow finishes the file instead.
 * The row lock orders this after a load transaction still in flight for the same file.
 */
export async function discardIngestion(pool: DatabasePool, fileId: string): Promise<DiscardOutcome> {
  return pool.transaction(async (tx) => {
    const file = await tx.maybeOne(sql.type(fileState)`
      select loaded_at is not null or load_started_at is not null or status = 'completed' as loaded
      from ingestion_files where id = ${fileId} for update`);
    if (!file) return { discarded: true };
    if (file.loaded) return { discarded: false };
    await tx.query(sql.unsafe`delete from staging_order_lines where ingestion_file_id = ${fileId}`);
    await tx.query(sql.unsafe`delete from ingestion_rejects where ingestion_file_id = ${fileId}`);
    await tx.query(sql.unsafe`delete from ingestion_affected_dates where ingestion_file_id = ${fileId}`);
    await tx.query(sql.unsafe`delete from ingestion_files where id = ${fileId}`);
    return { discarded: true };
  });
}

export function createDiscardIngestion({ pool, logger }: ActivityDeps) {
  return async function discardCancelledIngestion(input: DiscardInput): Promise<DiscardOutcome> {
    const outcome = await discardIngestion(pool, input.fileId);
    logger.info({ fileId: input.fileId, stage: 'cancel', ...outcome }, outcome.discarded ? 'discarded cancelled file' : 'cancel too late: load committed');
    return outcome;
  };
}
