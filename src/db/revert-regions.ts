import type { DatabaseTransactionConnection } from 'slonik';
import { sql } from './sql.ts';

/**
 * Replays the load's region rule (load-prepare.ts) without the reverted file, for the customers in
 * revert_region_customers (id, email_hash). A load takes a file's region when the customer has none
 * yet, or the file's region line is no older than the customer's latest stored order just before
 * that load; the region that stands is that of the last file the rule let through.
 *
 * "The latest stored order just before file k" is read from every version of the customer's orders
 * still on record (the stored ones and those kept in revert_kept_orders, the reverted file's
 * already gone): per order_ref, the version of the last file loaded before k, if it is the
 * customer's. So it is what the load saw in a database that never had the reverted file.
 */
export async function replayRegions(tx: DatabaseTransactionConnection): Promise<void> {
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_versions on commit drop as
    with refs as (
      select o.order_ref from orders o where o.customer_id in (select id from revert_region_customers)
      union
      select k.order_ref from revert_kept_orders k where k.customer_id in (select id from revert_region_customers)
    )
    select o.order_ref, o.customer_id, o.order_date, coalesce(f.load_seq, 0) as seq
    from orders o left join ingestion_files f on f.id = o.ingestion_file_id
    where o.order_ref in (select order_ref from refs)
    union all
    select k.order_ref, k.customer_id, k.order_date, coalesce(f.load_seq, 0)
    from revert_kept_orders k left join ingestion_files f on f.id = k.source_file_id
    where k.order_ref in (select order_ref from refs)`);
  // Both are looked up once per customer below: without indexes each look-up scans every version.
  await tx.query(sql.typeAlias('void')`create index on revert_versions (customer_id)`);
  await tx.query(sql.typeAlias('void')`create index on revert_versions (order_ref, seq)`);
  await tx.query(sql.typeAlias('void')`analyze revert_versions`);
  await tx.query(sql.typeAlias('void')`
    create temporary table revert_region_rules on commit drop as
    select rc.id, r.load_seq, r.region, r.region_at,
           coalesce(bool_or(r.region is not null) over earlier, false) as earlier_region
    from revert_region_customers rc
    join revert_file_customers r on r.email_hash = rc.email_hash
    window earlier as (partition by rc.id order by r.load_seq rows between unbounded preceding and 1 preceding)`);
  await tx.query(sql.typeAlias('void')`create index on revert_region_rules (id, load_seq)`);
  await tx.query(sql.typeAlias('void')`analyze revert_region_rules`);
  await tx.query(sql.typeAlias('void')`
    update customers c
    set region = decided.region, updated_at = now()
    from (
      select rc.id, (
        select rule.region from revert_region_rules rule
        where rule.id = rc.id and rule.region is not null
          and (not rule.earlier_region or rule.region_at >= coalesce((
            select max(latest.order_date) from (
              select distinct on (v.order_ref) v.customer_id, v.order_date
              from revert_versions v
              where v.seq < rule.load_seq
                and v.order_ref in (select mine.order_ref from revert_versions mine where mine.customer_id = rc.id)
              order by v.order_ref, v.seq desc
            ) latest
            where latest.customer_id = rc.id), '-infinity'::timestamptz))
        order by rule.load_seq desc
        limit 1) as region
      from revert_region_customers rc
    ) decided
    where c.id = decided.id and c.region is distinct from decided.region`);
}
