import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { NumberedOrderLine, RowReject } from '../domain/csv-order-lines.ts';

/** One statement per batch; (file, line) keys make a replayed batch a no-op. */
export async function insertStagedLines(pool: DatabasePool, fileId: string, lines: readonly NumberedOrderLine[]): Promise<void> {
  if (lines.length === 0) return;
  await pool.query(sql.unsafe`
    insert into staging_order_lines (
      ingestion_file_id, line_number, order_ref, order_date, email_hash, customer_region,
      sku, product_name, category, quantity, unit_price, payment_method)
    select ${fileId}::uuid, t.*
    from ${sql.unnest(
      lines.map((line) => [
        line.lineNumber,
        line.orderRef,
        line.orderDate.toISOString(),
        line.emailHash,
        line.customerRegion,
        line.sku,
        line.productName,
        line.category,
        line.quantity,
        line.unitPrice,
        line.paymentMethod,
      ]),
      ['int4', 'text', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'int4', 'numeric', 'payment_method'],
    )} as t
    on conflict (ingestion_file_id, line_number) do nothing`);
}

export async function insertRejects(pool: DatabasePool, fileId: string, rejects: readonly RowReject[]): Promise<void> {
  if (rejects.length === 0) return;
  await pool.query(sql.unsafe`
    insert into ingestion_rejects (ingestion_file_id, line_number, column_name, reason)
    select ${fileId}::uuid, t.*
    from ${sql.unnest(
      rejects.map((reject) => [reject.lineNumber, reject.column, reject.reason]),
      ['int4', 'text', 'text'],
    )} as t
    on conflict (ingestion_file_id, line_number, column_name) do nothing`);
}

/**
 * The contract's cross-line rule: the valid lines of one order must agree on order date, customer
 * and payment method. Each line of an order that does not is moved from staging to the rejects,
 * naming the fields that disagree. Safe to run again: a second run finds nothing left to move.
 */
export async function rejectInconsistentOrders(pool: DatabasePool, fileId: string): Promise<void> {
  // Staging was just bulk-written: without fresh statistics the planner may take it for empty
  // and join it to itself with nested loops, which turns the statement below quadratic. Sampled,
  // so cheap, and it also serves the load stage's joins. Run on its own, outside a transaction,
  // so that concurrent parses do not hold its table lock while they move rows.
  await pool.query(sql.unsafe`analyze staging_order_lines`);
  // One statement, so atomic on its own: the moved lines and their rejects commit together.
  await pool.query(sql.unsafe`
    with inconsistent as (
      select order_ref,
             array_remove(array[
               case when count(distinct order_date) > 1 then 'order_date' end,
               case when count(distinct email_hash) > 1 then 'customer_email' end,
               case when count(distinct payment_method) > 1 then 'payment_method' end
             ], null) as fields
      from staging_order_lines
      where ingestion_file_id = ${fileId}
      group by order_ref
      having count(distinct order_date) > 1
          or count(distinct email_hash) > 1
          or count(distinct payment_method) > 1
    ), moved as (
      delete from staging_order_lines s
      using inconsistent i
      where s.ingestion_file_id = ${fileId} and s.order_ref = i.order_ref
      returning s.line_number, s.order_ref, i.fields
    )
    insert into ingestion_rejects (ingestion_file_id, line_number, column_name, reason)
    select ${fileId}::uuid, line_number, 'order_ref',
           -- An order_ref holding an '@' might be an email pasted in the wrong column: never echo it.
           format('the lines of order %s disagree on %s',
                  case when position('@' in order_ref) > 0 then '(masked)' else quote_literal(order_ref) end,
                  array_to_string(fields, ', '))
    from moved
    on conflict (ingestion_file_id, line_number, column_name) do nothing`);
}

const countsRow = z.object({ stagedRows: z.number(), rejectedRows: z.number() });

export async function countParsedRows(
  pool: DatabasePool,
  fileId: string,
): Promise<{ stagedRows: number; rejectedRows: number }> {
  return pool.one(sql.type(countsRow)`
    select
      (select count(*) from staging_order_lines where ingestion_file_id = ${fileId}) as "stagedRows",
      (select count(distinct line_number) from ingestion_rejects where ingestion_file_id = ${fileId}) as "rejectedRows"`);
}
