import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { sql } from './sql.ts';

const topRow = z.object({
  date: z.string(),
  sku: z.string(),
  product: z.string(),
  category: z.string(),
  payment: z.string(),
  revenue: z.string(),
  units: z.number(),
  orders: z.number(),
  customers: z.number(),
});
export type TopAggregateRow = z.infer<typeof topRow>;

/** The day/product/payment combinations with the most revenue: a quick look after a load. */
export async function topAggregateRows(pool: DatabasePool, limit: number): Promise<readonly TopAggregateRow[]> {
  return pool.any(sql.type(topRow)`
    select a.date, p.sku, p.name as product, a.category, a.payment_method as payment,
           a.total_revenue as revenue, a.total_units as units, a.order_count as orders,
           a.unique_customers as customers
    from sales_aggregates_daily a
    join products p on p.id = a.product_id
    order by a.total_revenue desc, a.date, p.sku, a.payment_method
    limit ${limit}`);
}
