import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { ORDER_LINES_HEADER, orderLineRows } from './order-line-rows.ts';
import type { DatabasePool } from '../../src/db/pool.ts';
import { revertWorkflowId, type RevertSummary } from '../../src/workflows/revert-file-contract.ts';
import { revertFileWorkflow } from '../../src/workflows/revert-file.ts';

/**
 * Three files for the revert tests. B replaces and moves two of A's orders to other days, renames
 * and re-categorises SKU-1, moves alice to a new region, and brings a customer (dave) and a product
 * (SKU-9) of its own, plus one rejected line; C replaces two of B's versions (A-4, B-2) and brings
 * its own customer and product.
 */
const row = orderLineRows('2026-03-01T10:00:00Z');

export const FILE_A = [
  row({ ref: 'A-1', email: 'alice@example.com', region: 'Nairobi', sku: 'SKU-1', name: 'Widget', category: 'Tools', quantity: '2' }),
  row({ ref: 'A-2', date: '2026-03-02T10:00:00Z', email: 'bob@example.com', region: 'Mombasa', sku: 'SKU-2', name: 'Gadget', category: 'Toys', price: '5.00', payment: 'card' }),
  row({ ref: 'A-3', date: '2026-03-03T10:00:00Z', email: 'alice@example.com', region: 'Nairobi', sku: 'SKU-1', name: 'Widget', category: 'Tools' }),
  row({ ref: 'A-3', date: '2026-03-03T10:00:00Z', email: 'alice@example.com', region: 'Nairobi', sku: 'SKU-2', name: 'Gadget', category: 'Toys', quantity: '3', price: '5.00' }),
  row({ ref: 'A-4', date: '2026-03-04T10:00:00Z', email: 'carol@example.com', region: 'Kisumu', sku: 'SKU-3', name: 'Thing', category: 'Misc', price: '7.50', payment: 'card' }),
];

export const FILE_B = [
  row({ ref: 'A-1', date: '2026-03-06T10:00:00Z', email: 'alice@example.com', region: 'Eldoret', sku: 'SKU-1', name: 'Widget Pro', category: 'Hardware', price: '12.00' }),
  row({ ref: 'A-2', date: '2026-03-05T10:00:00Z', email: 'bob@example.com', region: 'Mombasa', sku: 'SKU-2', name: 'Gadget', category: 'Toys', quantity: '2', price: '6.00', payment: 'paystack' }),
  row({ ref: 'B-1', date: '2026-03-05T12:00:00Z', email: 'dave@example.com', region: 'Nakuru', sku: 'SKU-9', name: 'Novelty', category: 'Fresh', price: '3.00', payment: 'bank' }),
  row({ ref: 'B-2', date: '2026-03-07T10:00:00Z', email: 'bob@example.com', region: 'Mombasa', sku: 'SKU-1', name: 'Widget Pro', category: 'Hardware', price: '12.00', payment: 'card' }),
  row({ ref: 'A-4', date: '2026-03-04T11:00:00Z', email: 'carol@example.com', region: 'Kisumu', sku: 'SKU-3', name: 'Thing', category: 'Misc', quantity: '2', price: '7.50', payment: 'card' }),
  row({ ref: 'B-BAD', email: 'dave@example.com', quantity: 'many' }),
];

export const FILE_C = [
  row({ ref: 'A-4', date: '2026-03-08T10:00:00Z', email: 'carol@example.com', region: 'Kisumu', sku: 'SKU-3', name: 'Thing', category: 'Misc', quantity: '3', price: '7.50', payment: 'other' }),
  row({ ref: 'B-2', date: '2026-03-07T10:00:00Z', email: 'bob@example.com', region: 'Mombasa', sku: 'SKU-2', name: 'Gadget', category: 'Toys', price: '6.00', payment: 'card' }),
  row({ ref: 'C-1', date: '2026-03-09T10:00:00Z', email: 'erin@example.com', region: 'Thika', sku: 'SKU-4', name: 'Other', category: 'Misc', price: '4.00' }),
];

/** B's rejected line would break the default reject ratio of so small a file. */
export const REVERT_PIPELINE = { maxRejectRatio: 0.5 };

export async function writeScenarioFiles(dir: string): Promise<{ a: string; b: string; c: string }> {
  const write = async (name: string, lines: string[]) => {
    const path = join(dir, name);
    await writeFile(path, `${[ORDER_LINES_HEADER, ...lines].join('\n')}\n`);
    return path;
  };
  return { a: await write('a.csv', FILE_A), b: await write('b.csv', FILE_B), c: await write('c.csv', FILE_C) };
}

const lineRow = z.object({ line: z.string() });

/** One readable line per row, ids left out; `collate "C"` sorts alike in every database. */
const TABLES = {
  customers: sql.fragment`
    select concat_ws('|', email_hash, coalesce(region, '-'), first_order_at, last_order_at) as line from customers`,
  products: sql.fragment`select concat_ws('|', sku, name, category, base_price) as line from products`,
  orders: sql.fragment`
    select concat_ws('|', o.order_ref, o.order_date, c.email_hash, o.total_amount, o.payment_method,
                     coalesce(f.content_hash, '-')) as line
    from orders o join customers c on c.id = o.customer_id left join ingestion_files f on f.id = o.ingestion_file_id`,
  orderItems: sql.fragment`
    select concat_ws('|', o.order_ref, p.sku, oi.quantity, oi.price, oi.subtotal) as line
    from order_items oi join orders o on o.id = oi.order_id join products p on p.id = oi.product_id`,
  aggregates: sql.fragment`
    select concat_ws('|', a.date, p.sku, a.category, a.payment_method, a.total_revenue, a.total_units,
                     a.order_count, a.unique_customers) as line
    from sales_aggregates_daily a join products p on p.id = a.product_id`,
};

/**
 * Every table of the contract on natural keys (customers by email hash, products by sku, orders by
 * order_ref with their lines and lineage as content hash, rollups by date, sku, category, payment).
 */
export async function contractTables(pool: DatabasePool): Promise<Record<string, readonly string[]>> {
  const entries = await Promise.all(
    Object.entries(TABLES).map(async ([name, query]) => {
      const lines = await pool.anyFirst(sql.type(lineRow)`
        select line from (${query}) t order by line collate "C"`);
      return [name, lines] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export async function runRevert(
  client: Client,
  taskQueue: string,
  fileId: string,
  reason: string | null = 'wrong export',
): Promise<RevertSummary> {
  return client.workflow.execute(revertFileWorkflow, {
    taskQueue,
    workflowId: revertWorkflowId(fileId),
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    args: [{ fileId, reason }],
  });
}

/**
 * Holds the row of the customer of an order FOR UPDATE in a transaction of its own until released:
 * a revert that must update that customer (alice's region, for A-1) stops there, with its order
 * work done but not committed. `ended` settles when the holding transaction does (it rejects if
 * the server went away under it).
 */
export async function holdCustomerOf(pool: DatabasePool, orderRef: string): Promise<{ release: () => void; ended: Promise<void> }> {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  const ended = pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      select 1 from customers where id = (select customer_id from orders where order_ref = ${orderRef}) for update`);
    holding();
    await released;
  });
  await Promise.race([held, ended]);
  return { release, ended };
}

/**
 * The statements a revert stops at behind holdCustomerOf(pool, 'A-1'): the lock it takes on the
 * customers its restored orders reference, and the update of alice's region. Its own order work
 * (the lines of B's orders deleted) is done by then, uncommitted.
 */
export const HELD_ON_ALICE = 'for key share|update customers';

const waitingRow = z.object({ waiting: z.boolean() });

/** Whether a backend of the pool's database waits on a lock in a statement matching the pattern. */
export async function waitsOnLock(pool: DatabasePool, pattern: string): Promise<true | undefined> {
  const { waiting } = await pool.one(sql.type(waitingRow)`
    select exists (
      select 1 from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ~* ${pattern}
    ) as waiting`);
  return waiting ? true : undefined;
}
