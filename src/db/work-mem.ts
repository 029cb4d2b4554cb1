import type { DatabaseTransactionConnection } from 'slonik';
import { sql } from './sql.ts';

/**
 * What one sort or hash of a bulk statement may take before PostgreSQL spills it to disk: enough
 * for the groups of a large file's staged lines or of a day's rollup. The same for every such
 * transaction, so that the worst case of concurrent stages is one figure to size the server by.
 */
export const BULK_WORK_MEM = '64MB';


/** For the rest of the transaction only: the pool's connections go back with the server's default. */
export async function useBulkWorkMem(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('setting')`select set_config('work_mem', ${BULK_WORK_MEM}, true) as value`);
}

/**
 * The cost of a random page read relative to a sequential one, as on storage without seek time
 * (the default of 4 prices a spinning disk). At the default the rollup of a day or a few reads
 * order_items whole rather than each order's lines through order_items_order_id_idx, and its time
 * grows with the table instead of with the days; a month's chunk keeps the whole read either way.
 */
const CACHED_RANDOM_PAGE_COST = '1.1';

/** For the rest of the transaction only, like useBulkWorkMem. */
export async function useCachedPageCosts(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('setting')`select set_config('random_page_cost', ${CACHED_RANDOM_PAGE_COST}, true) as value`);
}
