import { sql, type DatabasePool } from 'slonik';

/**
 * Recomputes sales_aggregates_daily for the given business dates from the base tables. Unique
 * customers is not additive, so a day is always rebuilt from its orders rather than adjusted.
 *
 * Rows whose numbers did not change are left untouched (no index churn), rows that no longer have
 * sales are deleted. Per-day advisory locks, taken in date order, serialise concurrent recomputes
 * of the same day without deadlocking; the result is the same whichever runs last.
 */
export async function recomputeDailyAggregates(
  pool: DatabasePool,
  dates: readonly string[],
  businessTimeZone: string,
): Promise<void> {
  if (dates.length === 0) return;
  const days = sql.array([...dates].sort(), 'date');
  await pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      select pg_advisory_xact_lock(hashtextextended('sales_aggregates_daily:' || day::text, 0))
      from unnest(${days}) as day
      order by day`);
    await tx.query(sql.unsafe`
      with bounds as (
        select (min(day)::timestamp at time zone ${businessTimeZone}) as starts_at,
               ((max(day) + 1)::timestamp at time zone ${businessTimeZone}) as ends_at
        from unnest(${days}) as day
      ), fresh as (
        select (o.order_date at time zone ${businessTimeZone})::date as date,
               oi.product_id,
               p.category,
               o.payment_method::text as payment_method,
               sum(oi.subtotal) as total_revenue,
               sum(oi.quantity) as total_units,
               count(distinct o.id) as order_count,
               count(distinct o.customer_id) as unique_customers
        from orders o
        join order_items oi on oi.order_id = o.id
        join products p on p.id = oi.product_id
        cross join bounds
        where o.order_date >= bounds.starts_at and o.order_date < bounds.ends_at
          and (o.order_date at time zone ${businessTimeZone})::date = any(${days})
        group by 1, 2, 3, 4
      ), removed as (
        delete from sales_aggregates_daily a
        where a.date = any(${days})
          and not exists (
            select 1 from fresh f
            where f.date = a.date and f.product_id = a.product_id
              and f.category = a.category and f.payment_method = a.payment_method)
      )
      insert into sales_aggregates_daily (
        date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers)
      select date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers
      from fresh
      order by date, product_id, category, payment_method
      on conflict (date, product_id, category, payment_method) do update
      set total_revenue = excluded.total_revenue,
          total_units = excluded.total_units,
          order_count = excluded.order_count,
          unique_customers = excluded.unique_customers,
          updated_at = now()
      where (sales_aggregates_daily.total_revenue, sales_aggregates_daily.total_units,
             sales_aggregates_daily.order_count, sales_aggregates_daily.unique_customers)
            is distinct from
            (excluded.total_revenue, excluded.total_units, excluded.order_count, excluded.unique_customers)`);
  });
}
