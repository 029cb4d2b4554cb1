import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

/**
 * What one sort or hash of a bulk statement may take before PostgreSQL spills it to disk: enough
 * for the groups of a large file's staged lines or of a day's rollup. The same for every such
 * transaction, so that the worst case of concurrent stages is one figure to size the server by.
 */
export const BULK_WORK_MEM = '64MB';

/** What set_config returns: the setting's new value. */
const settingRow = z.object({ value: z.string() });

/** For the rest of the transaction only: the pool's connections go back with the server's default. */
export async function useBulkWorkMem(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.type(settingRow)`select set_config('work_mem', ${BULK_WORK_MEM}, true) as value`);
}
