import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { sql } from 'slonik';
import { z } from 'zod';
import { formatAmount, formatCount } from '../../src/client/number-format.ts';
import { formatReportCsv, formatReportJson, formatReportTable } from '../../src/client/report-format.ts';
import { REPORT_DIMENSIONS, salesReportBy, type ReportDimension, type SalesReport } from '../../src/db/sales-report-by.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * `pipeforge report` numbers against SQL written here straight over the base tables (revenue too),
 * in every grouping and every output format.
 */

let harness: PipelineHarness;
let workDir: string;
const [from, to] = ['2026-10-05', '2026-10-24'];

/** Names that CSV must quote: commas, quotes; one order spanning two categories. */
const TRICKY = [
  'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method',
  'X-1,2026-10-06T10:00:00Z,zed@example.com,Nairobi,SKU-Q1,"Kettle ""Deluxe"", 2L",Home & Kitchen,1,1999.99,M-Pesa',
  'X-1,2026-10-06T10:00:00Z,zed@example.com,Nairobi,SKU-Q2,"Tea, ""Kenya"" 500g",Groceries,3,0.10,M-Pesa',
  'X-2,2026-10-07T23:59:59Z,zed@example.com,Nairobi,SKU-Q2,"Tea, ""Kenya"" 500g",Groceries,1,0.10,paystack',
].join('\n');

const expectedRow = z.object({
  key: z.string(),
  label: z.string().nullable(),
  revenue: z.string(),
  units: z.number(),
  orders: z.number(),
  customers: z.number(),
});
type ExpectedRow = z.infer<typeof expectedRow>;

async function expectedRows(by: ReportDimension): Promise<ExpectedRow[]> {
  const key = {
    day: sql.fragment`d.date::text`,
    category: sql.fragment`d.category`,
    payment: sql.fragment`d.payment`,
    product: sql.fragment`d.sku`,
  }[by];
  const label = by === 'product' ? sql.fragment`max(d.name)` : sql.fragment`null::text`;
  const rows = await harness.pool.any(sql.type(expectedRow)`
    select ${key} as key, ${label} as label, sum(d.quantity * d.price)::numeric(16, 2)::text as revenue,
           sum(d.quantity) as units, count(distinct d.order_ref) as orders, count(distinct d.email_hash) as customers
    from (
      select timezone(${harness.pipeline.businessTimeZone}, o.order_date)::date as date, p.category, p.sku, p.name,
             o.payment_method::text as payment, oi.quantity, oi.price, o.order_ref, c.email_hash
      from orders o
      join customers c on c.id = o.customer_id
      join order_items oi on oi.order_id = o.id
      join products p on p.id = oi.product_id
    ) d
    where d.date between ${from}::date and ${to}::date
    group by 1`);
  return [...rows];
}

async function expectedTotal() {
  return harness.pool.one(sql.type(expectedRow.omit({ key: true, label: true }))`
    select sum(d.quantity * d.price)::numeric(16, 2)::text as revenue, sum(d.quantity) as units,
           count(distinct d.order_ref) as orders, count(distinct d.email_hash) as customers
    from (
      select timezone(${harness.pipeline.businessTimeZone}, o.order_date)::date as date, oi.quantity, oi.price,
             o.order_ref, c.email_hash
      from orders o join customers c on c.id = o.customer_id join order_items oi on oi.order_id = o.id
    ) d
    where d.date between ${from}::date and ${to}::date`);
}

const keyColumn = { day: 'day', category: 'category', payment: 'payment', product: 'sku' } as const;

/** The row as every format should show it, all values as text. */
function asStrings(by: ReportDimension, row: ExpectedRow): string[] {
  return [row.key, ...(by === 'product' ? [row.label ?? ''] : []), row.revenue, String(row.units), String(row.orders), String(row.customers)];
}

/** A row as `--format table` shows it: thousands separated, for a reader. */
function asTableStrings(by: ReportDimension, row: ExpectedRow): string[] {
  return [row.key, ...(by === 'product' ? [row.label ?? ''] : []), formatAmount(row.revenue), formatCount(row.units), formatCount(row.orders), formatCount(row.customers)];
}

function sortedByKey<T extends { key: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-report-'));
  const month = join(workDir, 'october.csv');
  await writeFile(month, await buffer(generateOrderLines({ rows: 900, seed: 21, days: 31, endDate: '2026-11-01' })));
  const tricky = join(workDir, 'tricky.csv');
  await writeFile(tricky, TRICKY);
  for (const path of [month, tricky]) expect((await harness.ingest(path)).status).toBe('completed');
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe.each(REPORT_DIMENSIONS.map((by) => [by]))('pipeforge report --by %s', (by) => {
  let report: SalesReport;
  let expected: ExpectedRow[];

  beforeAll(async () => {
    report = await salesReportBy(harness.pool, { from, to, by, timeZone: harness.pipeline.businessTimeZone });
    expected = sortedByKey(await expectedRows(by));
  });

  it('has the numbers of an independent query, ordered for reading', async () => {
    expect(expected.length).toBeGreaterThan(3);
    expect(sortedByKey(report.rows)).toEqual(expected);
    expect(report.total).toEqual(await expectedTotal());
    if (by === 'day') expect(report.rows.map((row) => row.key)).toEqual(expected.map((row) => row.key));
    else {
      const cents = report.rows.map((row) => Math.round(Number(row.revenue) * 100));
      expect(cents).toEqual([...cents].sort((a, b) => b - a));
    }
    expect(report.dailyRevenue).toHaveLength(20);
    expect(report.dailyRevenue[0]?.date).toBe(from);
    expect(report.dailyRevenue.at(-1)?.date).toBe(to);
  });

  it('prints JSON with exact decimal strings', () => {
    const json = JSON.parse(formatReportJson(report)) as { rows: Array<Record<string, unknown>>; total: unknown };
    const byKey = new Map(json.rows.map((row) => [row[keyColumn[by]], row]));
    for (const row of expected) {
      expect(byKey.get(row.key)).toEqual({
        [keyColumn[by]]: row.key,
        ...(by === 'product' ? { product: row.label } : {}),
        revenue: row.revenue,
        units: row.units,
        orders: row.orders,
        customers: row.customers,
      });
    }
    expect(json.rows).toHaveLength(expected.length);
    expect(json.total).toEqual(report.total);
  });

  it('prints CSV that a CSV parser reads back field for field', () => {
    const text = formatReportCsv(report);
    const records = parse(text) as string[][];
    expect(records[0]).toEqual([keyColumn[by], ...(by === 'product' ? ['product'] : []), 'revenue', 'units', 'orders', 'customers']);
    const body = records.slice(1).sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
    expect(body).toEqual(expected.map((row) => asStrings(by, row)));
    if (by === 'product') expect(text).toContain('"Kettle ""Deluxe"", 2L"');
  });

  it('prints an aligned table with a total line and a chart of daily revenue', () => {
    const lines = formatReportTable(report).split('\n');
    const rules = lines.flatMap((line, index) => (/^-+( +-+)+$/.test(line) ? [index] : []));
    expect(rules).toHaveLength(2);
    const [first = 0, second = 0] = rules;
    const fields = (line: string) => line.trim().split(/ {2,}/);
    const body = lines.slice(first + 1, second).map(fields);
    const width = asStrings(by, expected[0] ?? expectedRow.parse({})).length;
    const shown = body.map((row) => row.slice(0, width)).sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
    expect(shown).toEqual(expected.map((row) => asTableStrings(by, row)));
    const total = report.total;
    expect(fields(lines[second + 1] ?? '')).toEqual(['total', formatAmount(total.revenue), formatCount(total.units), formatCount(total.orders), formatCount(total.customers)]);
    expect(lines.find((line) => line.startsWith('daily revenue'))).toMatch(new RegExp(`^daily revenue  ${from} [ ▁▂▃▄▅▆▇█]{20} ${to}$`));
    if (by === 'day') for (const row of body) expect(row.at(-1)).toMatch(/^█+$/);
  });
});

describe('distinct counts', () => {
  it('are not the sums of the rollup rows, which would count an order once per product', async () => {
    const naive = await harness.pool.any(sql.type(z.object({ key: z.string(), orders: z.number() }))`
      select date::text as key, sum(order_count) as orders from sales_aggregates_daily
      where date between ${from}::date and ${to}::date group by 1 order by 1`);
    const report = await salesReportBy(harness.pool, { from, to, by: 'day', timeZone: harness.pipeline.businessTimeZone });
    const reported = new Map(report.rows.map((row) => [row.key, row.orders]));
    expect(naive.some((row) => row.orders > (reported.get(row.key) ?? 0))).toBe(true);
  });
});
