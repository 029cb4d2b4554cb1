import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/**
 * The database's content with everything generated stripped away (uuids, inserted_at/updated_at,
 * file names): each table as a multiset of rows keyed by natural keys (order_ref, sku, email
 * hash, content hash), summarised as a row count and a digest of the sorted rows, plus a few
 * readable totals. Two databases that hold the same business state give equal dumps, whatever
 * order, retries or crashes got them there; a row loaded twice changes a count and a digest.
 */
export type CanonicalDump = {
  tables: Record<DumpSection, { rows: number; digest: string }>;
  totals: { revenue: string; units: number; orderTotal: string };
  /** Rows still in staging, lines, grouped orders or parts' writers: a finished file leaves none. */
  stagedRows: number;
};

type DumpSection = 'customers' | 'products' | 'orders' | 'orderItems' | 'aggregates' | 'files' | 'rejects';

/** One text line per row; `collate "C"` makes the order the same in every database. */
const SECTIONS: Record<DumpSection, ReturnType<typeof sql.fragment>> = {
  customers: sql.fragment`
    select concat_ws('|', email_hash, coalesce(region, '-'),
                     extract(epoch from first_order_at), extract(epoch from last_order_at)) as line
    from customers`,
  products: sql.fragment`
    select concat_ws('|', sku, name, category, base_price) as line from products`,
  orders: sql.fragment`
    select concat_ws('|', o.order_ref, extract(epoch from o.order_date), c.email_hash, o.total_amount,
                     o.payment_method, coalesce(f.content_hash, '-')) as line
    from orders o
    join customers c on c.id = o.customer_id
    left join ingestion_files f on f.id = o.ingestion_file_id`,
  orderItems: sql.fragment`
    select concat_ws('|', o.order_ref, p.sku, oi.quantity, oi.price, oi.subtotal) as line
    from order_items oi
    join orders o on o.id = oi.order_id
    join products p on p.id = oi.product_id`,
  aggregates: sql.fragment`
    select concat_ws('|', a.date, p.sku, a.category, a.payment_method, a.total_revenue, a.total_units,
                     a.order_count, a.unique_customers) as line
    from sales_aggregates_daily a
    join products p on p.id = a.product_id`,
  files: sql.fragment`
    select concat_ws('|', content_hash, status, total_rows, processed_rows, failed_rows) as line
    from ingestion_files`,
  rejects: sql.fragment`
    select concat_ws('|', f.content_hash, r.line_number, r.column_name, r.reason) as line
    from ingestion_rejects r
    join ingestion_files f on f.id = r.ingestion_file_id`,
};

const sectionRow = z.object({ rows: z.number(), digest: z.string() });
const totalsRow = z.object({ revenue: z.string(), units: z.number(), orderTotal: z.string(), stagedRows: z.number() });

export async function canonicalDump(pool: DatabasePool): Promise<CanonicalDump> {
  const entries = await Promise.all(
    (Object.keys(SECTIONS) as DumpSection[]).map(async (name) => {
      const summary = await pool.one(sql.type(sectionRow)`
        select count(*) as rows,
               md5(coalesce(string_agg(line, E'\n' order by line collate "C"), '')) as digest
        from (${SECTIONS[name]}) as section`);
      return [name, summary] as const;
    }),
  );
  const { stagedRows, ...totals } = await pool.one(sql.type(totalsRow)`
    select (select coalesce(sum(total_revenue), 0) from sales_aggregates_daily)::text as revenue,
           (select coalesce(sum(total_units), 0) from sales_aggregates_daily)::int8 as units,
           (select coalesce(sum(total_amount), 0) from orders)::text as "orderTotal",
           (select count(*) from staging_order_lines) + (select count(*) from staging_orders)
             + (select count(*) from staging_part_writers) as "stagedRows"`);
  return {
    tables: Object.fromEntries(entries) as CanonicalDump['tables'],
    totals,
    stagedRows,
  };
}
