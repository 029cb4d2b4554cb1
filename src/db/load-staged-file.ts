import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

export type LoadResult = {
  rowsLoaded: number;
  ordersLoaded: number;
  /** Business dates (YYYY-MM-DD) whose aggregates this load changed, ascending. */
  affectedDates: string[];
};

const loadedRow = z.object({ loadedAt: z.string().nullable(), processedRows: z.number().nullable() });
const countRow = z.object({ count: z.number() });
const dateRow = z.object({ businessDate: z.string() });

/**
 * Moves one file's staged lines into the base tables in a single transaction, set-based, with
 * every upsert in a stable key order so that concurrent loads lock rows in the same order.
 *
 * Idempotent: the transaction ends by stamping ingestion_files.loaded_at, and a load that finds the
 * stamp returns the recorded result instead of applying the file again. A crash before the commit
 * rolls everything back.
 */
export async function loadStagedFile(pool: DatabasePool, fileId: string, businessTimeZone: string): Promise<LoadResult> {
  return pool.transaction(async (tx) => {
    const file = await tx.one(sql.type(loadedRow)`
      select loaded_at as "loadedAt", processed_rows as "processedRows"
      from ingestion_files where id = ${fileId} for update`);
    if (file.loadedAt !== null) {
      return {
        rowsLoaded: file.processedRows ?? 0,
        ordersLoaded: await countFileOrders(tx, fileId),
        affectedDates: await readAffectedDates(tx, fileId),
      };
    }

    await snapshotReplacedOrders(tx, fileId);
    await recordDatesLeftBehind(tx, fileId, businessTimeZone);
    await upsertCustomers(tx, fileId);
    await upsertProducts(tx, fileId);
    const ordersLoaded = await upsertOrders(tx, fileId);
    const rowsLoaded = await replaceOrderItems(tx, fileId);
    await refreshCustomerOrderSpan(tx);
    await refreshProductBasePrices(tx, fileId);

    await tx.query(sql.unsafe`
      insert into ingestion_affected_dates (ingestion_file_id, business_date)
      select distinct ${fileId}::uuid, (order_date at time zone ${businessTimeZone})::date
      from staging_order_lines where ingestion_file_id = ${fileId}
      on conflict do nothing`);
    await tx.query(sql.unsafe`
      update ingestion_files
      set processed_rows = ${rowsLoaded}, loaded_at = now(), updated_at = now()
      where id = ${fileId}`);
    await tx.query(sql.unsafe`delete from staging_order_lines where ingestion_file_id = ${fileId}`);

    return { rowsLoaded, ordersLoaded, affectedDates: await readAffectedDates(tx, fileId) };
  });
}

/** The orders this file replaces, as they were before it: their ids, customers and dates. */
async function snapshotReplacedOrders(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.unsafe`
    create temporary table replaced_orders on commit drop as
    select o.id, o.customer_id, o.order_date
    from orders o
    where o.order_ref in (select order_ref from staging_order_lines where ingestion_file_id = ${fileId})`);
  // Temporary tables have no statistics until analysed; the joins below need them for sane plans.
  await tx.query(sql.unsafe`analyze replaced_orders`);
}

/**
 * Dates whose aggregates change without the file bringing orders to them: days that replaced
 * orders leave, and every day of a product whose category the file changes (the category is part
 * of the aggregate's key).
 */
async function recordDatesLeftBehind(tx: DatabaseTransactionConnection, fileId: string, timeZone: string): Promise<void> {
  await tx.query(sql.unsafe`
    insert into ingestion_affected_dates (ingestion_file_id, business_date)
    select distinct ${fileId}::uuid, (order_date at time zone ${timeZone})::date from replaced_orders
    on conflict do nothing`);
  await tx.query(sql.unsafe`
    insert into ingestion_affected_dates (ingestion_file_id, business_date)
    select distinct ${fileId}::uuid, (o.order_date at time zone ${timeZone})::date
    from (
      select distinct on (sku) sku, category
      from staging_order_lines where ingestion_file_id = ${fileId}
      order by sku, line_number desc
    ) incoming
    join products p on p.sku = incoming.sku and p.category <> incoming.category
    join order_items oi on oi.product_id = p.id
    join orders o on o.id = oi.order_id
    on conflict do nothing`);
}

/**
 * One customer per email hash. The region follows the latest order that names one: an order
 * without a region (unknown) does not erase a known region.
 */
async function upsertCustomers(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.unsafe`
    create temporary table file_customers on commit drop as
    select email_hash,
           (array_agg(customer_region order by order_date desc, line_number desc)
              filter (where customer_region is not null))[1] as region,
           max(order_date) filter (where customer_region is not null) as region_at,
           min(order_date) as first_order_at,
           max(order_date) as last_order_at
    from staging_order_lines
    where ingestion_file_id = ${fileId}
    group by email_hash`);
  await tx.query(sql.unsafe`analyze file_customers`);
  await tx.query(sql.unsafe`
    insert into customers (email_hash, region, first_order_at, last_order_at)
    select email_hash, region, first_order_at, last_order_at from file_customers
    order by email_hash
    on conflict (email_hash) do nothing`);
  await tx.query(sql.unsafe`
    update customers c
    set region = f.region, updated_at = now()
    from file_customers f
    where c.email_hash = f.email_hash
      and f.region is not null
      and c.region is distinct from f.region
      and (c.region is null or c.last_order_at is null or f.region_at >= c.last_order_at)`);
}

/** Name and category come from the file's last line for the sku; the base price is set later. */
async function upsertProducts(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.unsafe`
    insert into products (sku, name, category, base_price)
    select sku, product_name, category, unit_price
    from (
      select distinct on (sku) sku, product_name, category, unit_price
      from staging_order_lines where ingestion_file_id = ${fileId}
      order by sku, line_number desc
    ) latest
    order by sku
    on conflict (sku) do update
    set name = excluded.name, category = excluded.category, updated_at = now()
    where (products.name, products.category) is distinct from (excluded.name, excluded.category)`);
}

/** An order_ref seen before is replaced as a whole: date, customer, payment method and total. */
async function upsertOrders(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  const result = await tx.query(sql.unsafe`
    insert into orders (order_ref, order_date, customer_id, total_amount, payment_method, ingestion_file_id)
    select s.order_ref, min(s.order_date), c.id, sum(s.quantity * s.unit_price), min(s.payment_method), ${fileId}::uuid
    from staging_order_lines s
    join customers c on c.email_hash = s.email_hash
    where s.ingestion_file_id = ${fileId}
    group by s.order_ref, c.id
    order by s.order_ref
    on conflict (order_ref) do update
    set order_date = excluded.order_date,
        customer_id = excluded.customer_id,
        total_amount = excluded.total_amount,
        payment_method = excluded.payment_method,
        ingestion_file_id = excluded.ingestion_file_id,
        updated_at = now()`);
  return result.rowCount;
}

async function replaceOrderItems(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  await tx.query(sql.unsafe`delete from order_items where order_id in (select id from replaced_orders)`);
  const result = await tx.query(sql.unsafe`
    insert into order_items (order_id, product_id, quantity, price, subtotal)
    select o.id, p.id, s.quantity, s.unit_price, s.quantity * s.unit_price
    from staging_order_lines s
    join orders o on o.order_ref = s.order_ref
    join products p on p.sku = s.sku
    where s.ingestion_file_id = ${fileId}
    order by s.line_number`);
  return result.rowCount;
}

/**
 * first/last order dates are recomputed from the orders themselves for every customer the file
 * touched, including customers whose replaced orders moved away, so they stay exact.
 */
async function refreshCustomerOrderSpan(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.unsafe`
    update customers c
    set first_order_at = span.first_order_at, last_order_at = span.last_order_at, updated_at = now()
    from (
      select touched.id, min(o.order_date) as first_order_at, max(o.order_date) as last_order_at
      from (
        select c2.id from customers c2 join file_customers f on f.email_hash = c2.email_hash
        union
        select customer_id from replaced_orders
      ) touched
      left join orders o on o.customer_id = touched.id
      group by touched.id
    ) span
    where c.id = span.id
      and (c.first_order_at, c.last_order_at) is distinct from (span.first_order_at, span.last_order_at)`);
}

/** base_price is the unit price of the sku's most recent order line, across all files. */
async function refreshProductBasePrices(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.unsafe`
    update products p
    set base_price = latest.price, updated_at = now()
    from (
      select distinct on (oi.product_id) oi.product_id, oi.price
      from order_items oi
      join orders o on o.id = oi.order_id
      where oi.product_id in (
        select id from products
        where sku in (select sku from staging_order_lines where ingestion_file_id = ${fileId})
      )
      order by oi.product_id, o.order_date desc, oi.id desc
    ) latest
    where p.id = latest.product_id and p.base_price <> latest.price`);
}

async function countFileOrders(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  const row = await tx.one(sql.type(countRow)`select count(*) as count from orders where ingestion_file_id = ${fileId}`);
  return row.count;
}

async function readAffectedDates(tx: DatabaseTransactionConnection, fileId: string): Promise<string[]> {
  const rows = await tx.any(sql.type(dateRow)`
    select business_date as "businessDate" from ingestion_affected_dates
    where ingestion_file_id = ${fileId} order by business_date`);
  return rows.map((row) => row.businessDate);
}
