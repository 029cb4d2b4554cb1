import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

/**
 * How a file's orders are written: in chunks side by side with every index maintained row by row,
 * or, for a file at least as large as what order_items already holds, in one transaction that
 * rebuilds the secondary indexes afterwards (load-rebuilding-indexes.ts).
 */
export type LoadPlan = { rebuildsIndexes: boolean; chunks: number };

/**
 * Chunks a file's orders are split into when indexes are maintained row by row, loaded side by
 * side. A crash throws away only the chunk in flight.
 */
export const ROW_BY_ROW_CHUNKS = 2;

const planRow = z.object({ rebuildsIndexes: z.boolean() });

/**
 * Decides the plan on the load's first run and reads it back on every later one: a retry must split
 * the file exactly as the attempt whose chunks may already have committed. Run in the load's first
 * transaction, which holds the file row's lock.
 *
 * The table size is the planner's estimate or the live-row count, whichever is larger: either may
 * lag, and an overestimate only keeps the row-by-row plan.
 */
export async function settleLoadPlan(tx: DatabaseTransactionConnection, fileId: string): Promise<LoadPlan> {
  const { rebuildsIndexes } = await tx.one(sql.type(planRow)`
    update ingestion_files f
    set load_rebuilds_indexes = coalesce(f.load_rebuilds_indexes, (
      select coalesce(f.total_rows - f.failed_rows, 0) >= greatest(c.reltuples, s.n_live_tup, 0)
      from pg_class c join pg_stat_all_tables s on s.relid = c.oid
      where c.oid = 'order_items'::regclass))
    where f.id = ${fileId}
    returning load_rebuilds_indexes as "rebuildsIndexes"`);
  return { rebuildsIndexes, chunks: rebuildsIndexes ? 1 : ROW_BY_ROW_CHUNKS };
}
