import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { sql } from 'slonik';
import { z } from 'zod';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { historyText } from '../support/history-text.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * The whole pipeline on the real stack: a generated file goes through Temporal, MinIO and
 * PostgreSQL, and every table is checked against expectations computed here, independently of
 * the pipeline's SQL, from the CSV itself.
 */

type CsvLine = {
  order_ref: string;
  order_date: string;
  customer_email: string;
  customer_region: string;
  sku: string;
  product_name: string;
  category: string;
  quantity: string;
  unit_price: string;
  payment_method: string;
};

let harness: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-e2e-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function writeGenerated(name: string, rows: number, seed: number): Promise<string> {
  const path = join(workDir, name);
  const chunks: Buffer[] = [];
  for await (const chunk of generateOrderLines({ rows, seed, days: 10 })) chunks.push(Buffer.from(chunk as string));
  await writeFile(path, Buffer.concat(chunks));
  return path;
}

function paymentOf(raw: string): string {
  const key = raw.toLowerCase().replace(/[\s_-]/g, '');
  if (key === 'mpesa' || key === 'paystack') return key;
  if (['card', 'creditcard', 'debitcard'].includes(key)) return 'card';
  if (['banktransfer', 'bank', 'eft'].includes(key)) return 'bank_transfer';
  return 'other';
}

const cents = (price: string) => Math.round(Number(price) * 100);
const money = (amountInCents: number) => (amountInCents / 100).toFixed(2);

describe('ingesting a file end to end', () => {
  let csvPath: string;
  let lines: CsvLine[];
  let firstFileId: string;

  beforeAll(async () => {
    csvPath = await writeGenerated('orders-2026-11.csv', 400, 7);
    lines = parse(await readFile(csvPath), { columns: true }) as CsvLine[];
  });

  it('completes with every row loaded', async () => {
    const summary = await harness.ingest(csvPath);
    expect(summary).toMatchObject({
      status: 'completed',
      filename: 'orders-2026-11.csv',
      rowsRead: 400,
      rowsLoaded: 400,
      rowsRejected: 0,
      duplicateOf: null,
    });
    firstFileId = summary.fileId;
    const file = await harness.pool.one(sql.type(
      z.object({ status: z.string(), totalRows: z.number(), processedRows: z.number(), failedRows: z.number(), completedAt: z.string().nullable() }),
    )`select status, total_rows as "totalRows", processed_rows as "processedRows", failed_rows as "failedRows",
             completed_at as "completedAt"
      from ingestion_files where id = ${firstFileId}`);
    expect(file).toMatchObject({ status: 'completed', totalRows: 400, processedRows: 400, failedRows: 0 });
    expect(file.completedAt).not.toBeNull();
  });

  it('stores one customer per email, hashed with the configured key, never the email', async () => {
    const expected = new Map<string, string>();
    for (const line of lines) {
      const email = line.customer_email.trim().toLowerCase();
      expected.set(createHmac('sha256', harness.pipeline.emailHashKey).update(email).digest('hex'), email);
    }
    const hashes = await harness.pool.anyFirst(sql.type(z.object({ emailHash: z.string() }))`
      select email_hash as "emailHash" from customers`);
    expect(new Set(hashes)).toEqual(new Set(expected.keys()));
    const leaked = await harness.pool.exists(sql.unsafe`
      select 1 from customers where email_hash like '%@%' or region like '%@%'`);
    expect(leaked).toBe(false);
  });

  it('stores products with the latest name, category and price', async () => {
    const latestBySku = new Map<string, CsvLine>();
    const byDate = [...lines.entries()].sort(
      ([ia, a], [ib, b]) => Date.parse(a.order_date) - Date.parse(b.order_date) || ia - ib,
    );
    for (const [, line] of byDate) latestBySku.set(line.sku, line);
    const products = await harness.pool.any(sql.type(
      z.object({ sku: z.string(), name: z.string(), category: z.string(), basePrice: z.string() }),
    )`select sku, name, category, base_price as "basePrice" from products order by sku`);
    expect(products).toHaveLength(latestBySku.size);
    for (const product of products) {
      const line = latestBySku.get(product.sku);
      expect(product).toEqual({
        sku: product.sku,
        name: line?.product_name,
        category: line?.category,
        basePrice: money(cents(line?.unit_price ?? 'NaN')),
      });
    }
  });

  it('stores each order with its total and its items', async () => {
    const totals = new Map<string, { cents: number; items: number; payment: string }>();
    for (const line of lines) {
      const order = totals.get(line.order_ref) ?? { cents: 0, items: 0, payment: paymentOf(line.payment_method) };
      order.cents += Number(line.quantity) * cents(line.unit_price);
      order.items += 1;
      totals.set(line.order_ref, order);
    }
    const orders = await harness.pool.any(sql.type(
      z.object({ orderRef: z.string(), total: z.string(), items: z.number(), payment: z.string(), fileId: z.string() }),
    )`select o.order_ref as "orderRef", o.total_amount as total, count(oi.id) as items,
             o.payment_method::text as payment, o.ingestion_file_id as "fileId"
      from orders o join order_items oi on oi.order_id = o.id
      group by o.id`);
    expect(orders).toHaveLength(totals.size);
    for (const order of orders) {
      const expected = totals.get(order.orderRef);
      expect(order).toEqual({
        orderRef: order.orderRef,
        total: money(expected?.cents ?? -1),
        items: expected?.items,
        payment: expected?.payment,
        fileId: firstFileId,
      });
    }
    const badSubtotals = await harness.pool.exists(sql.unsafe`
      select 1 from order_items where subtotal <> quantity * price`);
    expect(badSubtotals).toBe(false);
  });

  it('aggregates each day exactly as recomputed here from the CSV', async () => {
    type Expected = { revenue: number; units: number; orders: Set<string>; customers: Set<string> };
    const expected = new Map<string, Expected>();
    for (const line of lines) {
      const key = [line.order_date.slice(0, 10), line.sku, line.category, paymentOf(line.payment_method)].join('|');
      const entry = expected.get(key) ?? { revenue: 0, units: 0, orders: new Set(), customers: new Set() };
      entry.revenue += Number(line.quantity) * cents(line.unit_price);
      entry.units += Number(line.quantity);
      entry.orders.add(line.order_ref);
      entry.customers.add(line.customer_email.toLowerCase());
      expected.set(key, entry);
    }
    const rows = await harness.pool.any(sql.type(
      z.object({ key: z.string(), revenue: z.string(), units: z.number(), orders: z.number(), customers: z.number() }),
    )`select concat_ws('|', a.date, p.sku, a.category, a.payment_method) as key, a.total_revenue as revenue,
             a.total_units as units, a.order_count as orders, a.unique_customers as customers
      from sales_aggregates_daily a join products p on p.id = a.product_id`);
    expect(rows).toHaveLength(expected.size);
    for (const row of rows) {
      const entry = expected.get(row.key);
      expect(row).toEqual({
        key: row.key,
        revenue: money(entry?.revenue ?? -1),
        units: entry?.units,
        orders: entry?.orders.size,
        customers: entry?.customers.size,
      });
    }
  });

  it('treats the same content under another name as a duplicate and changes nothing', async () => {
    const before = await tableCounts(harness);
    const summary = await harness.ingest(csvPath, 'renamed-copy.csv');
    expect(summary).toMatchObject({ status: 'duplicate', duplicateOf: firstFileId, rowsLoaded: 0 });
    expect(await tableCounts(harness)).toEqual(before);
  });

  it('keeps customer emails out of the workflow history', async () => {
    const summary = await harness.ingest(await writeGenerated('history-check.csv', 50, 99));
    expect(summary.status).toBe('completed');
    const history = await harness.client.workflow.getHandle(summary.workflowId).fetchHistory();
    const text = historyText(history);
    expect(text).toContain('history-check.csv');
    expect(text).not.toMatch(/customer\d+@example\.com/);
    expect(text).not.toContain('@example.com');
  });
});

async function tableCounts(h: PipelineHarness) {
  const counts = z.object({
    customers: z.number(),
    products: z.number(),
    orders: z.number(),
    items: z.number(),
    files: z.number(),
    aggregates: z.number(),
    lastUpdate: z.string().nullable(),
  });
  return h.pool.one(sql.type(counts)`
    select (select count(*) from customers) as customers, (select count(*) from products) as products,
           (select count(*) from orders) as orders, (select count(*) from order_items) as items,
           (select count(*) from ingestion_files) as files, (select count(*) from sales_aggregates_daily) as aggregates,
           (select max(updated_at) from orders) as "lastUpdate"`);
}
