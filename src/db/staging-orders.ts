import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';
import { useBulkWorkMem } from './work-mem.ts';

const pendingRow = z.object({ pending: z.boolean() });

/**
 * Serialises, per file, the grouping below with every clearing of the file's grouped orders: a
 * grouping that read the staged lines just before a finished load cleared them must not write its
 * rows after that clearing, where nothing would ever remove them.
 */
export async function holdStagingOrdersLock(connection: CommonQueryMethods, fileId: string): Promise<void> {
  await connection.query(sql.typeAlias('lock')`
    select pg_advisory_xact_lock(hashtextextended('pipeforge:staging-orders:' || ${fileId}, 0)) as locked`);
}

/**
 * Groups a file's staged lines into its orders (staging_orders), one row per order_ref, for the
 * load's chunks to read. Run by the load beside its first transaction, on a connection of its own,
 * so that the grouping of a large file uses a core the load would leave idle.
 *
 * Every call groups again from the lines as they are staged now, replacing what an earlier attempt
 * wrote, so the rows never lag the lines; a file already loaded (or gone) is left alone. The lines
 * of one order agree on date, customer and payment method once the parse is done, so each min()
 * is the order's one value.
 */
export async function groupStagedOrders(pool: DatabasePool, fileId: string): Promise<void> {
  await pool.transaction(async (tx) => {
    await holdStagingOrdersLock(tx, fileId);
    const { pending } = await tx.one(sql.type(pendingRow)`
      select exists (select 1 from ingestion_files where id = ${fileId} and loaded_at is null) as pending`);
    if (!pending) return;
    // The groups of a large file are hashed in memory.
    await useBulkWorkMem(tx);
    await tx.query(sql.typeAlias('void')`delete from staging_orders where ingestion_file_id = ${fileId}`);
    await tx.query(sql.typeAlias('void')`
      insert into staging_orders (ingestion_file_id, order_ref, order_date, email_hash, payment_method, total_amount)
      select ${fileId}::uuid, s.order_ref, min(s.order_date), min(s.email_hash), min(s.payment_method), sum(s.quantity * s.unit_price)
      from staging_order_lines s
      where s.ingestion_file_id = ${fileId}
      group by s.order_ref`);
  });
  // Fresh statistics for the chunks' joins, as for staging (staging.ts): taken outside the
  // transaction, so concurrent loads never hold this table's lock while they group.
  await pool.query(sql.typeAlias('void')`analyze staging_orders`);
}
