import type { DatabasePool, DatabaseTransactionConnection, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { consecutiveRuns } from '../domain/business-dates.ts';
import { lockReferencedRows, skipPerRowReferenceChecks } from './referenced-rows.ts';
import { sql } from './sql.ts';
import { useBulkWorkMem, useCachedPageCosts } from './work-mem.ts';

const dayVersionRow = z.object({ date: z.string(), version: z.number() });
const installedRow = z.object({ installed: z.boolean() });
const dayRow = z.object({ date: z.string() });

export type RecomputeOptions = {
  /**
   * Skip the days no load has changed since their last recompute (see sales_aggregate_day_versions
   * in sql/003). For the aggregate stage of a file; a repair or backfill recomputes every day.
   */
  onlyChangedDays: boolean;
};

/**
 * Recomputes sales_aggregates_daily for the given business dates from the base tables. Unique
 * customers is not additive, so a day is always rebuilt from its orders rather than adjusted.
 *
 * Rows whose numbers did not change are left untouched (no index churn), rows that no longer have
 * sales are deleted. Per-day advisory locks, taken in date order, serialise concurrent recomputes
 * of the same day without deadlocking; the result is the same whichever runs last.
 * Returns the number of days recomputed.
 */
export async function recomputeDailyAggregates(
  pool: DatabasePool,
  dates: readonly string[],
  businessTimeZone: string,
  options: RecomputeOptions,
): Promise<number> {
  if (dates.length === 0) return 0;
  const sorted = [...dates].sort();
  return pool.transaction(async (tx) => {
    // The day's lines are grouped and counted distinct in memory rather than sorted on disk.
    await useBulkWorkMem(tx);
    await useCachedPageCosts(tx);
    await tx.query(sql.typeAlias('lock')`
      select pg_advisory_xact_lock(hashtextextended('sales_aggregates_daily:' || day::text, 0)) as locked
      from unnest(${sql.array(sorted, 'date')}) as day
      order by day`);
    // Read under the locks and before the rollup query: a load committing from here on bumps the
    // version past what is recorded below, so its days are recomputed again by its own stage.
    const stale = await readDayVersions(tx, sorted, options);
    if (stale.length === 0) return 0;
    const days = sql.array(
      stale.map((day) => day.date),
      'date',
    );
    // Grouped by product id and the payment method's enum value, and the category and text taken
    // afterwards: the same groups (a product has one category), but every line's sort key is
    // narrower and cheaper to compare than with two text columns in it.
    await tx.query(sql.typeAlias('void')`
      create temporary table day_rollups on commit drop as
      select g.date, g.product_id, p.category, g.payment_method::text as payment_method,
             g.total_revenue, g.total_units, g.order_count, g.unique_customers
      from (
        select (o.order_date at time zone ${businessTimeZone})::date as date,
               oi.product_id,
               o.payment_method,
               sum(oi.subtotal) as total_revenue,
               sum(oi.quantity) as total_units,
               count(distinct o.id) as order_count,
               count(distinct o.customer_id) as unique_customers
        from orders o
        join order_items oi on oi.order_id = o.id
        where ${ordersOnDays(stale, businessTimeZone)}
        group by 1, 2, 3
      ) g
      join products p on p.id = g.product_id`);
    await lockReferencedRows(tx, 'products', sql.fragment`select product_id from day_rollups`);
    // TimescaleDB routes a hypertable's rows into chunks itself; how it behaves with the triggers
    // off cannot be tried on this project's machines, so there the per-row checks stay.
    if (!(await timescaleInstalled(tx))) await skipPerRowReferenceChecks(tx);
    const empty = await daysWithoutRows(tx, stale);
    const emptyDays = new Set(empty);
    const filled = stale.map((day) => day.date).filter((date) => !emptyDays.has(date));
    if (filled.length > 0) await replaceDayRows(tx, filled);
    // A day without rows (every day of a first load) has nothing to delete or compare against:
    // its rollup goes in as plain rows, without a conflict check per row. The day locks keep any
    // other recompute off it until this commits; a row written past them anyway makes this insert
    // fail on the primary key, and the retry then takes the path above.
    if (empty.length > 0) {
      await tx.query(sql.typeAlias('void')`
        insert into sales_aggregates_daily (
          date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers)
        select date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers
        from day_rollups
        where date = any(${sql.array(empty, 'date')})`);
    }
    await tx.query(sql.typeAlias('void')`
      update sales_aggregate_day_versions v
      set aggregated_version = recomputed.version
      from unnest(${days}, ${sql.array(
        stale.map((day) => day.version),
        'int8',
      )}) as recomputed (date, version)
      where v.date = recomputed.date`);
    return stale.length;
  });
}

/** Of the days, those that have no rollup row at all (typically every day of a first load). */
async function daysWithoutRows(
  tx: DatabaseTransactionConnection,
  days: ReadonlyArray<{ date: string }>,
): Promise<string[]> {
  const rows = await tx.anyFirst(sql.type(dayRow)`
    select day::text as date from unnest(${sql.array(
      days.map((day) => day.date),
      'date',
    )}) as day
    where not exists (select 1 from sales_aggregates_daily a where a.date = day)`);
  return [...rows];
}

/**
 * Days that already have rows: those no longer sold are deleted, and the others are updated only
 * where their numbers changed (no index churn).
 */
async function replaceDayRows(tx: DatabaseTransactionConnection, dates: readonly string[]): Promise<void> {
  const days = sql.array(dates, 'date');
  await tx.query(sql.typeAlias('void')`
    delete from sales_aggregates_daily a
    where a.date = any(${days})
      and not exists (
        select 1 from day_rollups f
        where f.date = a.date and f.product_id = a.product_id
          and f.category = a.category and f.payment_method = a.payment_method)`);
  await tx.query(sql.typeAlias('void')`
    insert into sales_aggregates_daily (
      date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers)
    select date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers
    -- In no particular order: the day locks keep any other recompute off these rows.
    from day_rollups
    where date = any(${days})
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
}

/** The days to recompute, with the version each is recomputed at; every day has a row afterwards. */
async function readDayVersions(
  tx: DatabaseTransactionConnection,
  sortedDates: readonly string[],
  { onlyChangedDays }: RecomputeOptions,
): Promise<Array<{ date: string; version: number }>> {
  await tx.query(sql.typeAlias('void')`
    insert into sales_aggregate_day_versions (date)
    select day from unnest(${sql.array(sortedDates, 'date')}) as day
    on conflict do nothing`);
  const rows = await tx.any(sql.type(dayVersionRow)`
    select date, version from sales_aggregate_day_versions
    where date = any(${sql.array(sortedDates, 'date')})
      and (${!onlyChangedDays} or version <> aggregated_version)
    order by date`);
  return [...rows];
}

/**
 * The orders whose business date is one of the days, as order_date ranges, one per run of
 * consecutive days. Nothing but index ranges: a filter on the computed date on top would hide the
 * number of matching orders from the planner, which then took a day for a few hundred orders instead
 * of its many thousands and joined the products row by row; a range taken from a joined row is no
 * index condition at all, and scanned every order.
 */
function ordersOnDays(days: ReadonlyArray<{ date: string }>, businessTimeZone: string): FragmentSqlToken {
  const runs = consecutiveRuns(days.map((day) => day.date));
  const ranges = sql.join(
    runs.map(
      ({ first, last }) => sql.fragment`(
        o.order_date >= (${first}::date::timestamp at time zone ${businessTimeZone})
        and o.order_date < ((${last}::date + 1)::timestamp at time zone ${businessTimeZone}))`,
    ),
    sql.fragment` or `,
  );
  return sql.fragment`(${ranges})`;
}

async function timescaleInstalled(tx: DatabaseTransactionConnection): Promise<boolean> {
  const { installed } = await tx.one(sql.type(installedRow)`
    select exists (select 1 from pg_extension where extname = 'timescaledb') as installed`);
  return installed;
}
