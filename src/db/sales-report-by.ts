import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { consecutiveDates, daysInRange } from '../domain/business-dates.ts';
import { sql } from './sql.ts';

export const REPORT_DIMENSIONS = ['day', 'category', 'payment', 'product'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export type SalesReportQuery = {
  /** Business dates, both included. */
  from: string;
  to: string;
  by: ReportDimension;
  /** The zone whose calendar days the rollup uses (PIPEFORGE_BUSINESS_TZ). */
  timeZone: string;
};

const reportRow = z.object({
  key: z.string(),
  /** The product's name when grouping by product; null otherwise. */
  label: z.string().nullable(),
  revenue: z.string(),
  units: z.number(),
  orders: z.number(),
  customers: z.number(),
});
export type SalesReportRow = z.infer<typeof reportRow>;

const totalRow = reportRow.omit({ key: true, label: true });
export type SalesReportTotal = z.infer<typeof totalRow>;

const dailyRow = z.object({ date: z.string(), revenue: z.string() });

export type SalesReport = SalesReportQuery & {
  rows: SalesReportRow[];
  total: SalesReportTotal;
  /** Every date of the range, 0.00 where nothing sold. */
  dailyRevenue: Array<{ date: string; revenue: string }>;
};

/**
 * Revenue and units per group, summed from sales_aggregates_daily (they are additive). Orders and
 * unique customers are not: an order with two products is in two rollup rows, and a customer who
 * buys on two days is in two, so summing would overcount. They are counted distinct from the base
 * tables over the same business days instead, the day read in the business zone exactly as the
 * rollup reads it. Plain selects, joins and aggregates only, so the same SQL runs on a TimescaleDB
 * hypertable (where the date predicate excludes chunks) and on a plain table.
 */
export async function salesReportBy(pool: DatabasePool, query: SalesReportQuery): Promise<SalesReport> {
  const { from, to, timeZone } = query;
  const keys = groupKeys(query.by, timeZone);
  const inRange = sql.fragment`a.date between ${from}::date and ${to}::date`;
  // Bounds on the indexed instant, not on an expression of it; the instants are the zone's midnights.
  const ordersInRange = sql.fragment`
    o.order_date >= (${from}::date::timestamp at time zone ${timeZone})
    and o.order_date < ((${to}::date + 1)::timestamp at time zone ${timeZone})`;

  const rows = await pool.any(sql.type(reportRow)`
    with sums as (
      select ${keys.rollup} as key, sum(a.total_revenue) as revenue, sum(a.total_units) as units
      from sales_aggregates_daily a
      join products p on p.id = a.product_id
      where ${inRange}
      group by 1
    ), counts as (
      select ${keys.base} as key, count(distinct o.id) as orders, count(distinct o.customer_id) as customers
      from orders o
      join order_items oi on oi.order_id = o.id
      join products p on p.id = oi.product_id
      where ${ordersInRange}
      group by 1
    )
    select coalesce(s.key, c.key) as key,
           ${query.by === 'product' ? sql.fragment`(select name from products where sku = coalesce(s.key, c.key))` : sql.fragment`null::text`} as label,
           round(coalesce(s.revenue, 0), 2)::text as revenue,
           coalesce(s.units, 0) as units,
           coalesce(c.orders, 0) as orders,
           coalesce(c.customers, 0) as customers
    from sums s
    full join counts c on c.key = s.key
    order by ${query.by === 'day' ? sql.fragment`1` : sql.fragment`coalesce(s.revenue, 0) desc, 1`}`);

  const total = await pool.one(sql.type(totalRow)`
    select round(coalesce((select sum(a.total_revenue) from sales_aggregates_daily a where ${inRange}), 0), 2)::text as revenue,
           coalesce((select sum(a.total_units) from sales_aggregates_daily a where ${inRange}), 0) as units,
           count(*) as orders,
           count(distinct o.customer_id) as customers
    from orders o
    where ${ordersInRange}
      and exists (select 1 from order_items oi where oi.order_id = o.id)`);

  const daily = await pool.any(sql.type(dailyRow)`
    select a.date::text as date, round(sum(a.total_revenue), 2)::text as revenue
    from sales_aggregates_daily a
    where ${inRange}
    group by a.date`);
  const revenueByDate = new Map(daily.map((day) => [day.date, day.revenue]));
  const dailyRevenue = consecutiveDates(from, daysInRange(from, to)).map((date) => ({
    date,
    revenue: revenueByDate.get(date) ?? '0.00',
  }));

  return { ...query, rows: [...rows], total, dailyRevenue };
}

type Fragment = ReturnType<typeof sql.fragment>;

/** The group key as the rollup stores it and as the base tables give it. */
function groupKeys(by: ReportDimension, timeZone: string): { rollup: Fragment; base: Fragment } {
  switch (by) {
    case 'day':
      return { rollup: sql.fragment`a.date::text`, base: sql.fragment`((o.order_date at time zone ${timeZone})::date)::text` };
    case 'category':
      return { rollup: sql.fragment`a.category`, base: sql.fragment`p.category` };
    case 'payment':
      return { rollup: sql.fragment`a.payment_method`, base: sql.fragment`o.payment_method::text` };
    case 'product':
      return { rollup: sql.fragment`p.sku`, base: sql.fragment`p.sku` };
  }
}
