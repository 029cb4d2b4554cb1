import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

/**
 * What a load keeps so that its file can later be reverted exactly (revert-file.ts), written in the
 * load's own transactions so that a crash never leaves a loaded file without it. Each function is
 * one call from the load; on a first load into an empty database nothing is replaced and only the
 * file's own customers and products are written.
 */

const seqRow = z.object({ loadSeq: z.number() });

/**
 * Loads hold this shared, a revert exclusive: loads never wait on each other for it, and a revert
 * sees no load transaction half done (a customer one is about to use, a span one is recomputing).
 * Taken first in a load transaction, before any row lock, so that no cycle can form through it.
 */
export async function holdLoadLock(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('lock')`select pg_advisory_xact_lock_shared(hashtext('pipeforge:load-or-revert')) as locked`);
}

export async function holdRevertLock(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('lock')`select pg_advisory_xact_lock(hashtext('pipeforge:load-or-revert')) as locked`);
}

/**
 * At the end of the load's first transaction (its customers and products applied, their row locks
 * held): the file's place in load order and its own per-customer and per-product values, read from
 * the temporary tables that transaction built (file_customers, file_products). A second run of that
 * transaction (a load retried after a chunk failed) writes the same rows again.
 */
export async function keepFileContributions(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  const { loadSeq } = await tx.one(sql.type(seqRow)`
    update ingestion_files set load_seq = coalesce(load_seq, nextval('ingestion_load_seq'))
    where id = ${fileId}
    returning load_seq as "loadSeq"`);
  await tx.query(sql.typeAlias('void')`
    insert into revert_file_customers (email_hash, ingestion_file_id, load_seq, region, region_at)
    select email_hash, ${fileId}::uuid, ${loadSeq}::bigint, region, region_at from file_customers
    on conflict (email_hash, ingestion_file_id) do update
    set load_seq = excluded.load_seq, region = excluded.region, region_at = excluded.region_at`);
  await tx.query(sql.typeAlias('void')`
    insert into revert_file_products (sku, ingestion_file_id, load_seq, name, category)
    select sku, ${fileId}::uuid, ${loadSeq}::bigint, product_name, category from file_products
    on conflict (sku, ingestion_file_id) do update
    set load_seq = excluded.load_seq, name = excluded.name, category = excluded.category`);
}

/**
 * In a load chunk, after its orders are locked and before their lines are deleted: the stored
 * version of every order the chunk replaces (with its lines and lineage), tagged with this file.
 * Reads the chunk's temporary chunk_orders once; a chunk that replaces nothing writes nothing.
 */
export async function keepReplacedVersions(tx: DatabaseTransactionConnection, fileId: string): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    with replaced as (
      select id from chunk_orders where replaces
    ), kept_orders as (
      insert into revert_kept_orders (
        replaced_by_file_id, order_ref, order_id, order_date, customer_id, total_amount, payment_method, source_file_id)
      select ${fileId}::uuid, o.order_ref, o.id, o.order_date, o.customer_id, o.total_amount, o.payment_method, o.ingestion_file_id
      from orders o where o.id in (select id from replaced)
      returning order_id, order_ref
    )
    insert into revert_kept_order_items (replaced_by_file_id, order_ref, item_id, product_id, quantity, price, subtotal)
    select ${fileId}::uuid, k.order_ref, oi.id, oi.product_id, oi.quantity, oi.price, oi.subtotal
    from kept_orders k join order_items oi on oi.order_id = k.order_id`);
}
