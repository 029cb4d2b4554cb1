import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { holdLoadLock, keepFileContributions } from './revert-keep.ts';
import { sql } from './sql.ts';

const idRow = z.object({ id: z.string() });

/**
 * The load's first transaction: what every chunk needs before it starts. The file's customers and
 * products exist afterwards, and the days whose aggregates change through a product's new category
 * are recorded (the comparison must happen before the product is updated, hence here and in the same
 * transaction). Safe to run again: each step is an upsert that a second run finds already done.
 */
export async function prepareLoad(tx: DatabaseTransactionConnection, fileId: string, timeZone: string): Promise<void> {
  await holdLoadLock(tx);
  await collectFileProducts(tx, fileId);
  await recordCategoryChangeDates(tx, fileId, timeZone);
  await upsertCustomers(tx, fileId);
  await upsertProducts(tx);
  await keepFileContributions(tx, fileId);
  await tx.query(sql.typeAlias('void')`
    update ingestion_files set load_started_at = coalesce(load_started_at, now()), updated_at = now()
    where id = ${fileId}`);
}

/**
 * Each sku's values from the file's last line for it. The last line numbers come from a hashed
 * grouping (sorting a million lines by sku cost seconds) and their lines from one more pass over
 * the file's staged lines: staging has no index on line numbers (sql/013), and as a join the
 * planner hashed every line rather than the few last ones.
 */
async function collectFileProducts(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    create temporary table file_products on commit drop as
    select s.sku, s.product_name, s.category, s.unit_price
    from staging_order_lines s
    where s.ingestion_file_id = ${fileId}
      and s.line_number in (
        select max(line_number) from staging_order_lines where ingestion_file_id = ${fileId} group by sku)`);
  await tx.query(sql.typeAlias('void')`analyze file_products`);
}

/**
 * The category is part of the aggregate's key: every day of a re-categorised product changes.
 * The products are looked up first: a file rarely re-categorises any, and only then are their
 * lines read (through the product index), never the whole order_items table.
 */
async function recordCategoryChangeDates(tx: DatabaseTransactionConnection, fileId: string, timeZone: string): Promise<void> {
  const recategorised = await tx.anyFirst(sql.type(idRow)`
    select p.id from products p join file_products incoming on incoming.sku = p.sku
    where p.category <> incoming.category`);
  if (recategorised.length === 0) return;
  await tx.query(sql.typeAlias('void')`
    insert into ingestion_affected_dates (ingestion_file_id, business_date)
    select distinct ${fileId}::uuid, (o.order_date at time zone ${timeZone})::date
    from order_items oi
    join orders o on o.id = oi.order_id
    where oi.product_id = any(${sql.array(recategorised, 'uuid')})
    on conflict do nothing`);
}

/**
 * One customer per email hash. The region follows the latest order that names one: an order
 * without a region (unknown) does not erase a known region. First and last order dates are set
 * exactly when the load finishes (load-finish.ts).
 */
async function upsertCustomers(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    create temporary table file_customers on commit drop as
    with per_customer as (
      select email_hash,
             min(order_date) as first_order_at,
             max(order_date) as last_order_at,
             max(order_date) filter (where customer_region is not null) as region_at
      from staging_order_lines where ingestion_file_id = ${fileId}
      group by email_hash
    ), region_line as (
      -- The latest line naming a region: on the customer's latest such date, the last in the file.
      -- Only the lines on that date are sorted, and the region is taken from the line itself
      -- rather than found again by its number in one more pass over the file's lines.
      select distinct on (s.email_hash) s.email_hash, s.customer_region
      from staging_order_lines s
      join per_customer c on c.email_hash = s.email_hash and s.order_date = c.region_at
      where s.ingestion_file_id = ${fileId} and s.customer_region is not null
      order by s.email_hash, s.line_number desc
    )
    select c.email_hash, r.customer_region as region, c.region_at, c.first_order_at, c.last_order_at
    from per_customer c
    left join region_line r on r.email_hash = c.email_hash`);
  // Temporary tables have no statistics until analysed; the joins below need them for sane plans.
  await tx.query(sql.typeAlias('void')`analyze file_customers`);
  // Customers known already (most of a file's, past the first file) are left out before the
  // insert: a row that only conflicts is still built and checked against the key one by one. The
  // conflict clause stays for those another load inserts meanwhile.
  await tx.query(sql.typeAlias('void')`
    insert into customers (email_hash, region, first_order_at, last_order_at)
    select f.email_hash, f.region, f.first_order_at, f.last_order_at from file_customers f
    where not exists (select 1 from customers c where c.email_hash = f.email_hash)
    order by f.email_hash
    on conflict (email_hash) do nothing`);
  await tx.query(sql.typeAlias('void')`
    update customers c
    set region = f.region, updated_at = now()
    from file_customers f
    where c.email_hash = f.email_hash
      and f.region is not null
      and c.region is distinct from f.region
      and (c.region is null or c.last_order_at is null or f.region_at >= c.last_order_at)`);
}

/** Name and category come from the file's last line for the sku; the base price is set at the end. */
async function upsertProducts(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    insert into products (sku, name, category, base_price)
    select sku, product_name, category, unit_price from file_products
    order by sku
    on conflict (sku) do update
    set name = excluded.name, category = excluded.category, updated_at = now()
    where (products.name, products.category) is distinct from (excluded.name, excluded.category)`);
}
