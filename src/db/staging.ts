import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import type { RowReject } from '../domain/csv-order-lines.ts';
import { sql } from './sql.ts';
import { useBulkWorkMem } from './work-mem.ts';

export async function insertRejects(pool: DatabasePool, fileId: string, rejects: readonly RowReject[]): Promise<void> {
  if (rejects.length === 0) return;
  await pool.query(sql.typeAlias('void')`
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
  // and join it to itself with nested loops, which turns the statements below quadratic. Sampled,
  // so cheap, and it also serves the load stage's joins. Run on its own, outside a transaction,
  // so that concurrent parses do not hold its table lock while they move rows.
  await pool.query(sql.typeAlias('void')`analyze staging_order_lines`);
  const inconsistent = await findInconsistentOrders(pool, fileId);
  if (inconsistent.length === 0) return;
  // One statement, so atomic on its own: the moved lines and their rejects commit together.
  await pool.query(sql.typeAlias('void')`
    with inconsistent as (
      select * from unnest(
        ${sql.array(
          inconsistent.map((order) => order.orderRef),
          'text',
        )},
        ${sql.array(
          inconsistent.map((order) => order.fields.join(', ')),
          'text',
        )}) as i (order_ref, fields)
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
                  fields)
    from moved
    on conflict (ingestion_file_id, line_number, column_name) do nothing`);
}

const inconsistentRow = z.object({ orderRef: z.string(), fields: z.array(z.string()) });
const parallelCostsRow = z.object({ setupCost: z.string(), tupleCost: z.string() });

/**
 * The orders whose lines disagree, with the fields they disagree on: usually none. A plain query,
 * unlike the statement that moves the lines, so PostgreSQL may split it across cores, and is told
 * to: with its default costs it stayed on one core, slower on a large file (and one statement that
 * also moved the lines was slower still).
 */
async function findInconsistentOrders(
  pool: DatabasePool,
  fileId: string,
): Promise<ReadonlyArray<z.infer<typeof inconsistentRow>>> {
  return pool.transaction(async (tx) => {
    // The per-order groups are hashed in memory rather than sorted on disk.
    await useBulkWorkMem(tx);
    await tx.query(sql.type(parallelCostsRow)`
      select set_config('parallel_setup_cost', '0', true) as "setupCost",
             set_config('parallel_tuple_cost', '0', true) as "tupleCost"`);
    return tx.any(sql.type(inconsistentRow)`
      -- min/max rather than count(distinct): hashable, so one pass with no sort of the file. The
      -- payment method is compared as its enum value: as text it cost a conversion per line.
      select order_ref as "orderRef",
             array_remove(array[
               case when min(order_date) <> max(order_date) then 'order_date' end,
               case when min(email_hash) <> max(email_hash) then 'customer_email' end,
               case when min(payment_method) <> max(payment_method) then 'payment_method' end
             ], null) as fields
      from staging_order_lines
      where ingestion_file_id = ${fileId}
      group by order_ref
      having min(order_date) <> max(order_date)
          or min(email_hash) <> max(email_hash)
          or min(payment_method) <> max(payment_method)`);
  });
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
