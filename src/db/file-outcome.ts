import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

/** What a completed file's ingestion recorded: the counts its workflow reported when it completed. */
export type RecordedOutcome = { rowsRead: number; rowsLoaded: number; rowsRejected: number; aggregatedDays: number };

const outcomeRow = z.object({
  rowsRead: z.number().nullable(),
  rowsLoaded: z.number().nullable(),
  rowsRejected: z.number().nullable(),
  aggregatedDays: z.coerce.number(),
});

/**
 * Read back for a re-run of the workflow that completed the file (a reset): its days are the
 * affected dates its load recorded, which stay after the load, so the count matches the one its
 * aggregate stage reported.
 */
export async function readRecordedOutcome(pool: DatabasePool, fileId: string): Promise<RecordedOutcome> {
  const row = await pool.one(sql.type(outcomeRow)`
    select total_rows as "rowsRead", processed_rows as "rowsLoaded", failed_rows as "rowsRejected",
           (select count(distinct business_date) from ingestion_affected_dates where ingestion_file_id = f.id)
             as "aggregatedDays"
    from ingestion_files f where id = ${fileId}`);
  return {
    rowsRead: row.rowsRead ?? 0,
    rowsLoaded: row.rowsLoaded ?? 0,
    rowsRejected: row.rowsRejected ?? 0,
    aggregatedDays: row.aggregatedDays,
  };
}
