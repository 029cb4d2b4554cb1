import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { recomputeBasePricesFromLines } from './base-prices.ts';
import { replayRegions } from './revert-regions.ts';
import { sql } from './sql.ts';

const idRow = z.object({ id: z.string() });

/**
 * Customers as the remaining files make them, once the reverted file's orders are undone
 * (revert-orders.ts, whose revert_stored this reads): the file's own contribution goes, a customer
 * only it brought is deleted, the region rule is replayed without it (revert-regions.ts), and the
 * order span of every customer whose orders changed is read from its orders.
 * Returns how many customers were deleted.
 */
export async function revertCustomers(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_customers on commit drop as
    with gone as (
      delete from revert_file_customers where ingestion_file_id = ${fileId} returning email_hash
    )
    select email_hash from gone`);
  const deleted = await tx.query(sql.typeAlias('void')`
    delete from customers c
    where c.email_hash in (select email_hash from revert_customers)
      and not exists (select 1 from revert_file_customers r where r.email_hash = c.email_hash)`);
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_region_customers on commit drop as
    select c.id, c.email_hash from customers c where c.email_hash in (select email_hash from revert_customers)
    union
    select c.id, c.email_hash from customers c where c.id in (select id from revert_touched)`);
  await tx.query(sql.typeAlias('void')`analyze revert_region_customers`);
  await replayRegions(tx);
  await tx.query(sql.typeAlias('void')`
    update customers c
    set first_order_at = span.first_order_at, last_order_at = span.last_order_at, updated_at = now()
    from (
      select touched.id, min(o.order_date) as first_order_at, max(o.order_date) as last_order_at
      from revert_region_customers touched
      left join orders o on o.customer_id = touched.id
      group by touched.id
    ) span
    where c.id = span.id
      and (c.first_order_at, c.last_order_at) is distinct from (span.first_order_at, span.last_order_at)`);
  return deleted.rowCount;
}

/**
 * Products as the remaining files make them: name and category from the last remaining file loaded
 * with the sku, base price from the latest stored line. A product only the file brought is deleted
 * with its rollup rows (its days are among the revert's, so they are recomputed anyway). A product
 * whose category changes has every day of its lines added to revert_dates. Returns how many
 * products were deleted.
 */
export async function revertProducts(tx: DatabaseTransactionConnection, fileId: string, timeZone: string): Promise<number> {
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_skus on commit drop as
    with gone as (
      delete from revert_file_products where ingestion_file_id = ${fileId} returning sku
    )
    select sku from gone`);
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_product_values on commit drop as
    select p.id, p.category as old_category, latest.name, latest.category
    from products p
    left join lateral (
      select r.name, r.category from revert_file_products r
      where r.sku = p.sku order by r.load_seq desc limit 1
    ) latest on true
    where p.sku in (select sku from revert_skus)
    order by p.id`);
  await tx.query(sql.typeAlias('void')`
    insert into revert_dates (date)
    select distinct (o.order_date at time zone ${timeZone})::date
    from revert_product_values v
    join order_items oi on oi.product_id = v.id
    join orders o on o.id = oi.order_id
    where v.name is not null and v.category <> v.old_category`);
  await tx.query(sql.typeAlias('void')`
    update products p
    set name = v.name, category = v.category, updated_at = now()
    from revert_product_values v
    where p.id = v.id and v.name is not null and (p.name, p.category) is distinct from (v.name, v.category)`);
  await refreshBasePrices(tx);

  // Locked first: a recompute of a day that references one of them then finishes before its rollup
  // rows are deleted, and one that starts later finds the product gone and is retried.
  const doomed = await tx.anyFirst(sql.type(idRow)`
    select p.id from products p
    where p.id in (select id from revert_product_values where name is null)
    order by p.id
    for update`);
  if (doomed.length === 0) return 0;
  const ids = sql.array(doomed, 'uuid');
  await tx.query(sql.typeAlias('void')`delete from sales_aggregates_daily where product_id = any(${ids})`);
  const deleted = await tx.query(sql.typeAlias('void')`delete from products where id = any(${ids})`);
  return deleted.rowCount;
}

/** As the load's recompute of a product whose winning line is gone; none left leaves it as is. */
async function refreshBasePrices(tx: DatabaseTransactionConnection): Promise<void> {
  await recomputeBasePricesFromLines(tx, sql.fragment`select id from revert_products union select id from revert_product_values`);
}
