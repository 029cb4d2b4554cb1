import type { DatabaseTransactionConnection, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { claimLoadChunk } from './file-work-rows.ts';
import { keepLatestLines, readLatestStagedLines, type LatestLine } from './latest-staged-lines.ts';
import { lockReferencedRows, skipPerRowReferenceChecks } from './referenced-rows.ts';
import { keepReplacedVersions } from './revert-keep.ts';
import { sql } from './sql.ts';

export type ChunkResult = { rowsLoaded: number; ordersLoaded: number };

/**
 * `onStep` hears when the chunk's orders, then its lines, begin: the load's progress tells them.
 * `latestLines` are the file's latest staged line of each sku, read once for all chunks
 * (readLatestLinesAlone); a chunk given none reads them itself.
 */
export type ChunkOptions = {
  tablesLocked: boolean;
  onStep?: (step: 'orders' | 'order-lines') => void;
  latestLines?: readonly LatestLine[];
};

const countRow = z.object({ count: z.number() });
const seriesRow = z.object({ series: z.string() });

/** A new row's id: the statement's own series (sql/011, sql/015), numbered in the order its rows come. */
const NEXT_ID_IN_SERIES = sql.fragment`pipeforge_id_in_series((select pipeforge_id_series()), row_number() over ())`;

/**
 * Loads one chunk of a file's orders (those whose order_ref hashes to `chunk` of `chunks`) with
 * their lines, in one transaction that also records the chunk as done. Chunks share no order, so
 * they can run side by side on separate connections; a chunk already recorded is skipped, which
 * makes a retried load apply each chunk exactly once. Returns null when the chunk was done before.
 *
 * An order_ref seen before is replaced as a whole (date, customer, payment method, total and
 * lines); the days and the customer it leaves are recorded with the chunk, so the aggregates and
 * the customer's order span can follow.
 */
export async function loadChunk(
  tx: DatabaseTransactionConnection,
  fileId: string,
  chunk: number,
  chunks: number,
  timeZone: string,
  { tablesLocked, onStep, latestLines }: ChunkOptions = { tablesLocked: false },
): Promise<ChunkResult | null> {
  if (!(await claimLoadChunk(tx, fileId, chunk))) return null;
  await expectGroupedOrders(tx, fileId);
  onStep?.('orders');

  // A file loaded as one chunk takes every line: no hash of each line's order_ref on every pass.
  const inChunk = chunkFilter(sql.fragment`s.order_ref`, chunk, chunks);
  const orderInChunk = chunkFilter(sql.fragment`g.order_ref`, chunk, chunks);
  if (!tablesLocked) {
    // The orders this chunk replaces are locked before they are read, in order_ref order like every
    // load's writes: a concurrent load replacing the same orders commits first, and the statements
    // below then see its lines, and delete them, instead of leaving them beside this file's.
    await tx.query(sql.type(countRow)`
      select count(*) as count from (
        select 1 from orders
        where order_ref in (select g.order_ref from staging_orders g where g.ingestion_file_id = ${fileId} and ${orderInChunk})
        order by order_ref
        for update
      ) locked`);
  }
  // The chunk's orders, grouped from its lines beside the load's first step (staging-orders.ts),
  // with each one's customer and id: the existing id for an order_ref seen before, a new
  // time-ordered one otherwise.
  await tx.query(sql.typeAlias('void')`
    create temporary table chunk_orders on commit drop as
    select coalesce(existing.id, ${NEXT_ID_IN_SERIES}) as id,
           g.order_ref, g.order_date, g.payment_method, g.total_amount,
           c.id as customer_id,
           existing.id is not null as replaces,
           existing.order_date as replaced_order_date,
           existing.customer_id as replaced_customer_id
    from staging_orders g
    join customers c on c.email_hash = g.email_hash
    left join orders existing on existing.order_ref = g.order_ref
    where g.ingestion_file_id = ${fileId} and ${orderInChunk}`);
  await tx.query(sql.typeAlias('void')`analyze chunk_orders`);

  await checkChunkReferences(tx, fileId);

  // The customers replaced orders are taken from (the same customer, too, when only the date
  // changed): their order span may shrink, so the load's last step recomputes it from all their
  // orders. Any other customer of the file can only gain orders, and that step widens their span.
  await tx.query(sql.typeAlias('void')`
    insert into ingestion_touched_customers (ingestion_file_id, chunk, customer_id)
    select distinct ${fileId}::uuid, ${chunk}::int, replaced_customer_id from chunk_orders where replaces`);

  await keepReplacedVersions(tx, fileId);
  // A deleted line may be the one a product's base price came from; the product is then recorded.
  await tx.query(sql.typeAlias('void')`
    create temporary table chunk_stale_price_products on commit drop as
    with deleted as (
      delete from order_items where order_id in (select id from chunk_orders where replaces)
      returning id, product_id
    )
    select distinct p.id from deleted join products p on p.id = deleted.product_id and p.base_price_item_id = deleted.id`);
  const ordersLoaded = tablesLocked ? await writeOrdersAlone(tx, fileId) : await upsertOrders(tx, fileId);
  // The lines below use chunk_orders' ids. An order_ref another file inserted after chunk_orders
  // was read has another id: its row is left alone above, and the chunk fails and is retried.
  const { count: chunkOrders } = await tx.one(sql.type(countRow)`select count(*) as count from chunk_orders`);
  if (ordersLoaded !== chunkOrders) {
    throw new Error(`${chunkOrders - ordersLoaded} order(s) of chunk ${chunk} were inserted by another file meanwhile`);
  }
  onStep?.('order-lines');
  // An order line's id is its staged line's number in a series drawn for the chunk (sql/011,
  // sql/015): unique, as line numbers are in a file and each staged line is one order line, with no
  // window numbering every line, and known without reading the line back (keepLatestLines).
  const { series } = await tx.one(sql.type(seriesRow)`select pipeforge_id_series() as series`);
  const lines = await tx.query(sql.typeAlias('void')`
    insert into order_items (id, order_id, product_id, quantity, price, subtotal)
    select pipeforge_id_in_series(${series}, s.line_number),
           o.id, p.id, s.quantity, s.unit_price, s.quantity * s.unit_price
    from staging_order_lines s
    join chunk_orders o on o.order_ref = s.order_ref
    join products p on p.sku = s.sku
    where s.ingestion_file_id = ${fileId} and ${inChunk}`);
  const rowsLoaded = lines.rowCount;
  const latest = latestLines ?? (await readLatestStagedLines(tx, fileId));
  await keepLatestLines(tx, { fileId, chunk, inChunk }, latest, series);

  // The days the chunk's orders come to and the days replaced orders leave.
  await tx.query(sql.typeAlias('void')`
    update ingestion_load_chunks
    set rows_loaded = ${rowsLoaded},
        orders_loaded = ${ordersLoaded},
        affected_dates = array(
          select (order_date at time zone ${timeZone})::date from chunk_orders
          union
          select (replaced_order_date at time zone ${timeZone})::date from chunk_orders where replaces),
        stale_price_products = array(select id from chunk_stale_price_products)
    where ingestion_file_id = ${fileId} and chunk = ${chunk}`);
  return { rowsLoaded, ordersLoaded };
}

const ungroupedRow = z.object({ ungrouped: z.boolean() });

/**
 * A chunk reads its orders from staging_orders: lines staged without their orders grouped would
 * load as nothing at all, so that is an error (a load's first step groups them before any chunk).
 */
async function expectGroupedOrders(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  const { ungrouped } = await tx.one(sql.type(ungroupedRow)`
    select exists (select 1 from staging_order_lines where ingestion_file_id = ${fileId})
       and not exists (select 1 from staging_orders where ingestion_file_id = ${fileId}) as ungrouped`);
  if (ungrouped) throw new Error(`the staged lines of file ${fileId} are not grouped into orders`);
}

/** Which of `chunks` an order falls in, by its order_ref: the same for an order and each of its lines. */
function chunkFilter(orderRef: FragmentSqlToken, chunk: number, chunks: number): FragmentSqlToken {
  return chunks === 1 ? sql.fragment`true` : sql.fragment`mod(hashtext(${orderRef})::bigint + 2147483648, ${chunks}) = ${chunk}`;
}

/**
 * Inserts the chunk's new orders and overwrites those it replaces, keeping their ids; returns how
 * many rows it wrote. In order_ref order, as every load writes, so that concurrent loads lock the
 * same orders in the same order; an order_ref inserted by another file since chunk_orders was read
 * keeps its other id and is not counted.
 */
async function upsertOrders(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  const written = await tx.query(sql.typeAlias('void')`
    insert into orders (id, order_ref, order_date, customer_id, total_amount, payment_method, ingestion_file_id)
    select id, order_ref, order_date, customer_id, total_amount, payment_method, ${fileId}::uuid
    from chunk_orders
    order by order_ref
    on conflict (order_ref) do update
    set order_date = excluded.order_date,
        customer_id = excluded.customer_id,
        total_amount = excluded.total_amount,
        payment_method = excluded.payment_method,
        ingestion_file_id = excluded.ingestion_file_id,
        updated_at = now()
    where orders.id = excluded.id`);
  return written.rowCount;
}

/**
 * The same writes when the load holds the orders table alone (load-rebuilding-indexes.ts): no other
 * file can insert an order_ref meanwhile, so new orders need no conflict check, and no lock order
 * to keep; in chunk_orders' own order their time-ordered ids land at the end of the primary key.
 */
async function writeOrdersAlone(tx: DatabaseTransactionConnection, fileId: string): Promise<number> {
  const replaced = await tx.query(sql.typeAlias('void')`
    update orders o
    set order_date = c.order_date,
        customer_id = c.customer_id,
        total_amount = c.total_amount,
        payment_method = c.payment_method,
        ingestion_file_id = ${fileId}::uuid,
        updated_at = now()
    from chunk_orders c
    where c.replaces and o.id = c.id`);
  const inserted = await tx.query(sql.typeAlias('void')`
    insert into orders (id, order_ref, order_date, customer_id, total_amount, payment_method, ingestion_file_id)
    select id, order_ref, order_date, customer_id, total_amount, payment_method, ${fileId}::uuid
    from chunk_orders
    where not replaces`);
  return replaced.rowCount + inserted.rowCount;
}

/**
 * Every row the chunk's writes reference (its file, its orders' customers, its lines' products),
 * checked and locked once; the per-row checks are then skipped (see referenced-rows.ts). The
 * products are all of the file's, as the load's first step kept them for a revert (revert-keep.ts):
 * a few more than a chunk's own for a file in chunks, but no pass over the staged lines.
 */
async function checkChunkReferences(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await lockReferencedRows(tx, 'ingestion_files', sql.fragment`select ${fileId}::uuid`);
  await lockReferencedRows(tx, 'customers', sql.fragment`select customer_id from chunk_orders`);
  await lockReferencedRows(
    tx,
    'products',
    sql.fragment`select p.id from products p
      join revert_file_products kept on kept.sku = p.sku and kept.ingestion_file_id = ${fileId}`,
  );
  await skipPerRowReferenceChecks(tx);
}
