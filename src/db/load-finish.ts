import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { recomputeBasePricesFromLines } from './base-prices.ts';
import { clearLoadWorkRows, recordChunkAffectedDates } from './file-work-rows.ts';
import { holdLoadLock } from './revert-keep.ts';
import { sql } from './sql.ts';

const totalsRow = z.object({ chunksDone: z.number(), rowsLoaded: z.number(), ordersLoaded: z.number() });

/**
 * The load's last transaction, once every chunk has committed: the chunks' business dates are
 * recorded for the aggregate stage, the order spans of the customers they touched and the base
 * prices of the file's products become exact, the file is stamped loaded, and its staging rows and
 * load bookkeeping go.
 */
export async function finishLoad(
  tx: DatabaseTransactionConnection,
  fileId: string,
  chunks: number,
): Promise<{ rowsLoaded: number; ordersLoaded: number }> {
  await holdLoadLock(tx);
  const totals = await tx.one(sql.type(totalsRow)`
    select count(*) as "chunksDone",
           coalesce(sum(rows_loaded), 0) as "rowsLoaded",
           coalesce(sum(orders_loaded), 0) as "ordersLoaded"
    from ingestion_load_chunks where ingestion_file_id = ${fileId}`);
  if (totals.chunksDone !== chunks) {
    throw new Error(`the load of file ${fileId} has ${totals.chunksDone} of ${chunks} chunks committed`);
  }
  await recordChunkAffectedDates(tx, fileId);
  // In date order, as every load does, so concurrent loads never wait on each other in a cycle.
  await tx.query(sql.typeAlias('void')`
    insert into sales_aggregate_day_versions (date, version)
    select business_date, 2 from ingestion_affected_dates
    where ingestion_file_id = ${fileId}
    order by business_date
    on conflict (date) do update set version = sales_aggregate_day_versions.version + 1`);
  await refreshCustomerOrderSpans(tx, fileId);
  await refreshProductBasePrices(tx, fileId);
  await tx.query(sql.typeAlias('void')`
    update ingestion_files
    set processed_rows = ${totals.rowsLoaded}, loaded_at = now(), updated_at = now()
    where id = ${fileId}`);
  await clearLoadWorkRows(tx, fileId);
  return { rowsLoaded: totals.rowsLoaded, ordersLoaded: totals.ordersLoaded };
}

/**
 * first/last order dates stay exact without rereading every order of every customer of the file:
 * the customers that replaced orders were taken from are recomputed from all their orders, and
 * everyone else of the file only gains orders, so their span widens to this file's orders. Reading
 * all orders of all the file's customers instead grew with the database, whatever the file's size.
 */
async function refreshCustomerOrderSpans(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    update customers c
    set first_order_at = span.first_order_at, last_order_at = span.last_order_at, updated_at = now()
    from (
      select touched.customer_id as id, min(o.order_date) as first_order_at, max(o.order_date) as last_order_at
      from (
        select distinct customer_id from ingestion_touched_customers where ingestion_file_id = ${fileId}
      ) touched
      left join orders o on o.customer_id = touched.customer_id
      group by touched.customer_id
    ) span
    where c.id = span.id
      and (c.first_order_at, c.last_order_at) is distinct from (span.first_order_at, span.last_order_at)`);
  // least/greatest skip nulls: a customer with no span yet takes the file's.
  await tx.query(sql.typeAlias('void')`
    update customers c
    set first_order_at = least(c.first_order_at, span.first_order_at),
        last_order_at = greatest(c.last_order_at, span.last_order_at),
        updated_at = now()
    from (
      select customer_id as id, min(order_date) as first_order_at, max(order_date) as last_order_at
      from orders
      where ingestion_file_id = ${fileId}
      group by customer_id
    ) span
    where c.id = span.id
      and (c.first_order_at is null or c.last_order_at is null
           or span.first_order_at < c.first_order_at or span.last_order_at > c.last_order_at)`);
}

/**
 * base_price is the unit price of the sku's most recent order line across all files (latest order
 * date, then latest line id). The file's own lines can only move it forward, and each chunk kept its
 * latest line per product (ingestion_chunk_latest_prices). Recomputed from all their lines instead:
 * products whose base-price line a replaced order deleted, and products whose kept line is gone
 * already (another file replaced its order since the chunk committed), since the file's
 * next-latest line for those is not known here.
 */
async function refreshProductBasePrices(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await recomputeBasePricesFromLines(
    tx,
    sql.fragment`
      select unnest(stale_price_products) from ingestion_load_chunks where ingestion_file_id = ${fileId}
      union
      select kept.product_id from ingestion_chunk_latest_prices kept
      where kept.ingestion_file_id = ${fileId}
        and not exists (select 1 from order_items gone where gone.id = kept.item_id)`,
  );
  await tx.query(sql.typeAlias('void')`
    update products p
    set base_price = latest.price, base_price_at = latest.order_date, base_price_item_id = latest.id,
        updated_at = now()
    from (
      select distinct on (kept.product_id) kept.product_id, kept.item_id as id, kept.price, kept.order_date
      from ingestion_chunk_latest_prices kept
      where kept.ingestion_file_id = ${fileId}
        and exists (select 1 from order_items line where line.id = kept.item_id)
      -- Within the file a tie goes to the higher line number (rows kept before it was recorded go last).
      order by kept.product_id, kept.order_date desc, kept.line_number desc nulls last, kept.item_id desc
    ) latest
    where p.id = latest.product_id
      and (latest.order_date, latest.id)
          > (coalesce(p.base_price_at, '-infinity'::timestamptz), coalesce(p.base_price_item_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
}
