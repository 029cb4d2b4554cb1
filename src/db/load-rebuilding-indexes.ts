import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { LatestLine } from './latest-staged-lines.ts';
import { type ChunkResult, loadChunk } from './load-chunk.ts';
import { sql } from './sql.ts';

const countRow = z.object({ count: z.number() });

/** Sorts of an index build stay in memory for a file of a few million lines. */
const INDEX_BUILD_MEMORY = '256MB';

/**
 * Loads a whole file as one chunk with the secondary indexes of orders and order_items dropped, and
 * their unique keys that no foreign key depends on, and builds them again before the transaction
 * commits (sql/008, sql/010). Readers and other loads of those tables wait until then; a crash
 * rolls the drop back with everything else, so no one ever sees the tables without their indexes.
 * Returns null when an earlier attempt already committed it. `latestLines`: see ChunkOptions.
 */
export async function loadRebuildingIndexes(
  tx: DatabaseTransactionConnection,
  fileId: string,
  timeZone: string,
  onStep?: (step: 'orders' | 'order-lines' | 'indexes') => void,
  latestLines?: readonly LatestLine[],
): Promise<ChunkResult | null> {
  // Taken before anything else, in the same order by every such load, so that two of them queue
  // rather than deadlock; a second attempt of this load waits here and then finds its chunk done.
  await tx.query(sql.typeAlias('void')`lock table orders, order_items in access exclusive mode`);
  const { count: done } = await tx.one(sql.type(countRow)`
    select count(*) as count from ingestion_load_chunks where ingestion_file_id = ${fileId}`);
  if (done > 0) return null;
  await tx.query(sql.typeAlias('setting')`select set_config('maintenance_work_mem', ${INDEX_BUILD_MEMORY}, true) as value`);
  await tx.query(sql.type(countRow)`
    select pipeforge_suspend_indexes('orders') + pipeforge_suspend_indexes('order_items') as count`);
  const result = await loadChunk(tx, fileId, 0, 1, timeZone, { tablesLocked: true, onStep, latestLines });
  onStep?.('indexes');
  await tx.query(sql.type(countRow)`select pipeforge_restore_indexes() as count`);
  return result;
}
