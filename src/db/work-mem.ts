import { sql, type DatabaseTransactionConnection } from 'slonik';

/**
 * What one sort or hash of a bulk statement may take before PostgreSQL spills it to disk: enough
 * for the groups of a large file's staged lines or of a day's rollup. The same for every such
 * transaction, so that the worst case of concurrent stages is one figure to size the server by.
 */
export const BULK_WORK_MEM = '64MB';

/** For the rest of the transaction only: the pool's connections go back with the server's default. */
export async function useBulkWorkMem(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.unsafe`select set_config('work_mem', ${BULK_WORK_MEM}, true)`);
}
