import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { lockReferencedRows, skipPerRowReferenceChecks } from './referenced-rows.ts';
import { sql } from './sql.ts';

const countRow = z.object({ count: z.number() });

export type OrderChanges = {
  /** Orders stored from the file that get back the version the file replaced. */
  restored: number;
  /** Orders only the file had: gone. */
  deleted: number;
  /** The file's versions a later file had already replaced: the stored order stays as it is. */
  superseded: number;
};

/**
 * Puts back, for every order whose stored version came from the file, the version the file
 * replaced (kept by the load in revert_kept_orders), or deletes the order if the file brought it;
 * and takes the file's own versions out of the chains of orders a later file replaced since, so
 * that reverting that later file restores the version before this one.
 *
 * Leaves temporary tables for the rest of the revert: revert_stored (the file's stored orders with
 * what they get back), revert_touched (customers whose orders change, see below), revert_dates
 * (business dates whose orders change) and revert_products (the products of every line removed or
 * restored, whose base price is recomputed).
 */
export async function revertOrders(
  tx: DatabaseTransactionConnection,
  fileId: string,
  timeZone: string,
): Promise<OrderChanges> {
  // In order_ref order, like every load's writes: a load replacing one of these commits first, and
  // the order is then no longer this file's and is left to the chain step below.
  await tx.query(sql.type(countRow)`
    select count(*) as count from (
      select 1 from orders where ingestion_file_id = ${fileId} order by order_ref for update
    ) locked`);
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_stored on commit drop as
    select o.id, o.order_ref, o.order_date, o.customer_id,
           k.order_ref is not null as restores,
           k.order_date as restored_date, k.customer_id as restored_customer_id,
           k.total_amount as restored_total, k.payment_method as restored_payment, k.source_file_id
    from orders o
    left join revert_kept_orders k on k.replaced_by_file_id = ${fileId} and k.order_ref = o.order_ref
    where o.ingestion_file_id = ${fileId}`);
  await tx.query(sql.typeAlias('void')`analyze revert_stored`);
  // The file's versions that a later file replaced: each is linked to its successor.
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_superseded on commit drop as
    select order_ref, replaced_by_file_id as successor from revert_kept_orders where source_file_id = ${fileId}`);
  // Customers whose stored orders, now or at some later file's load, differ without the file: those
  // of its stored versions, of the versions restored, and of the versions before its superseded ones.
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_touched on commit drop as
    select customer_id as id from revert_stored
    union select restored_customer_id from revert_stored where restores
    union select k.customer_id from revert_kept_orders k
    where k.replaced_by_file_id = ${fileId} and k.order_ref in (select order_ref from revert_superseded)`);

  await tx.query(sql.typeAlias('void')`
    create temporary table revert_dates on commit drop as
    select (order_date at time zone ${timeZone})::date as date from revert_stored
    union
    select (restored_date at time zone ${timeZone})::date from revert_stored where restores`);
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_products on commit drop as
    select oi.product_id as id from order_items oi where oi.order_id in (select id from revert_stored)
    union
    select k.product_id from revert_kept_order_items k
    where k.replaced_by_file_id = ${fileId} and k.order_ref in (select order_ref from revert_stored where restores)`);

  await tx.query(sql.typeAlias('void')`delete from order_items where order_id in (select id from revert_stored)`);
  await withoutPerRowReferenceChecks(tx, fileId);
  await tx.query(sql.typeAlias('void')`
    update orders o
    set order_date = r.restored_date, customer_id = r.restored_customer_id, total_amount = r.restored_total,
        payment_method = r.restored_payment, ingestion_file_id = r.source_file_id, updated_at = now()
    from revert_stored r
    where o.id = r.id and r.restores`);
  // The lines come back under their own ids, so the base-price tie order (by line id) is as before.
  await tx.query(sql.typeAlias('void')`
    insert into order_items (id, order_id, product_id, quantity, price, subtotal)
    select k.item_id, r.id, k.product_id, k.quantity, k.price, k.subtotal
    from revert_stored r
    join revert_kept_order_items k on k.replaced_by_file_id = ${fileId} and k.order_ref = r.order_ref
    where r.restores
    order by k.item_id`);
  await restorePerRowReferenceChecks(tx);
  const deleted = await tx.query(sql.typeAlias('void')`
    delete from orders where id in (select id from revert_stored where not restores)`);

  await relinkSupersededVersions(tx, fileId);
  // What is left tagged with the file are the versions restored above.
  await tx.query(sql.typeAlias('void')`delete from revert_kept_order_items where replaced_by_file_id = ${fileId}`);
  await tx.query(sql.typeAlias('void')`delete from revert_kept_orders where replaced_by_file_id = ${fileId}`);
  const { count: restored } = await tx.one(sql.type(countRow)`select count(*) as count from revert_stored where restores`);
  const { count: superseded } = await tx.one(sql.type(countRow)`select count(*) as count from revert_superseded`);
  return { restored, deleted: deleted.rowCount, superseded };
}

/**
 * Version chain E → F → G (F's version replaced by G, E's by F) becomes E → G: the version G
 * replaced is now E's, which a revert of G then restores.
 */
async function relinkSupersededVersions(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    delete from revert_kept_order_items k using revert_superseded s
    where k.replaced_by_file_id = s.successor and k.order_ref = s.order_ref`);
  await tx.query(sql.typeAlias('void')`
    delete from revert_kept_orders k using revert_superseded s
    where k.replaced_by_file_id = s.successor and k.order_ref = s.order_ref`);
  await tx.query(sql.typeAlias('void')`
    update revert_kept_order_items k set replaced_by_file_id = s.successor
    from revert_superseded s
    where k.replaced_by_file_id = ${fileId} and k.order_ref = s.order_ref`);
  await tx.query(sql.typeAlias('void')`
    update revert_kept_orders k set replaced_by_file_id = s.successor
    from revert_superseded s
    where k.replaced_by_file_id = ${fileId} and k.order_ref = s.order_ref`);
}

/**
 * The restored orders and lines reference customers, files and products the versions name: those
 * are checked and locked once (as a load chunk does, referenced-rows.ts), the orders themselves are
 * locked already, and the per-row checks of the restore are skipped.
 */
async function withoutPerRowReferenceChecks(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await lockReferencedRows(tx, 'customers', sql.fragment`select restored_customer_id from revert_stored where restores`);
  await lockReferencedRows(
    tx,
    'ingestion_files',
    sql.fragment`select source_file_id from revert_stored where restores and source_file_id is not null`,
  );
  await lockReferencedRows(
    tx,
    'products',
    sql.fragment`select k.product_id from revert_kept_order_items k
      where k.replaced_by_file_id = ${fileId} and k.order_ref in (select order_ref from revert_stored where restores)`,
  );
  await skipPerRowReferenceChecks(tx);
}

/** The deletes that follow keep their foreign-key actions and checks. */
async function restorePerRowReferenceChecks(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('setting')`
    select set_config('session_replication_role', 'origin', true) as value
    where has_parameter_privilege('session_replication_role', 'SET')`);
}
