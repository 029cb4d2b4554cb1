import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/** The contract's rules as the database sees them: rejects, refused files, replaced orders. */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

let harness: PipelineHarness;
let workDir: string;

beforeAll(async () => {
  harness = await startPipelineHarness();
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-rules-'));
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function csvFile(name: string, lines: string[]): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, `${[HEADER, ...lines].join('\n')}\n`);
  return path;
}

function validLines(prefix: string, count: number, day = '2026-09-01'): string[] {
  return Array.from(
    { length: count },
    (_, i) => `${prefix}-${i},${day}T10:00:00Z,buyer${i % 7}@example.com,Nairobi,SKU-${i % 3},Product ${i % 3},Cat,1,10.00,mpesa`,
  );
}

const rejectRow = z.object({ lineNumber: z.number(), column: z.string(), reason: z.string() });

describe('rows that break the contract', () => {
  it('rejects a bad row with its line and reason, and loads the rest', async () => {
    const lines = validLines('GOOD', 40);
    lines.splice(10, 0, 'BAD-1,2026-09-01T10:00:00Z,someone@example.com,,SKU-1,Product 1,Cat,abc,10.00,card');
    const summary = await harness.ingest(await csvFile('one-bad-row.csv', lines));
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 41, rowsLoaded: 40, rowsRejected: 1 });

    const rejects = await harness.pool.any(sql.type(rejectRow)`
      select line_number as "lineNumber", column_name as column, reason
      from ingestion_rejects where ingestion_file_id = ${summary.fileId}`);
    expect(rejects).toEqual([{ lineNumber: 12, column: 'quantity', reason: expect.stringContaining('abc') }]);
    expect(rejects[0]?.reason).not.toContain('@');
    const badOrder = await harness.pool.exists(sql.unsafe`select 1 from orders where order_ref = 'BAD-1'`);
    expect(badOrder).toBe(false);
  });

  it('rejects every line of an order whose lines disagree', async () => {
    const lines = [
      ...validLines('FINE', 50),
      'SPLIT-1,2026-09-02T10:00:00Z,first@example.com,,SKU-1,Product 1,Cat,1,10.00,mpesa',
      'SPLIT-1,2026-09-02T10:00:00Z,second@example.com,,SKU-2,Product 2,Cat,1,10.00,card',
    ];
    const summary = await harness.ingest(await csvFile('split-order.csv', lines));
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 52, rowsLoaded: 50, rowsRejected: 2 });
    const rejects = await harness.pool.any(sql.type(rejectRow)`
      select line_number as "lineNumber", column_name as column, reason
      from ingestion_rejects where ingestion_file_id = ${summary.fileId} order by line_number`);
    expect(rejects.map((reject) => reject.lineNumber)).toEqual([52, 53]);
    expect(rejects[0]?.reason).toMatch(/disagree on customer_email, payment_method/);
  });

  it('fails the whole file above the reject ratio, loading nothing of it', async () => {
    const lines = validLines('MOSTLY', 10, '2026-09-03');
    lines.push('X-1,not-a-date,a@example.com,,SKU-1,P,Cat,1,10.00,mpesa', 'X-2,2026-09-03,b@example.com,,SKU-1,P,Cat,0,10.00,mpesa');
    const summary = await harness.ingest(await csvFile('too-many-rejects.csv', lines));
    expect(summary).toMatchObject({ status: 'failed', rowsRead: 12, rowsRejected: 2, rowsLoaded: 0 });
    expect(summary.error).toMatch(/too-many-rejects\.csv: 2 of 12 rows \(16\.7%\) were rejected/);

    const file = await harness.pool.one(sql.type(z.object({ status: z.string(), errorMessage: z.string().nullable() }))`
      select status, error_message as "errorMessage" from ingestion_files where id = ${summary.fileId}`);
    expect(file.status).toBe('failed');
    expect(file.errorMessage).toContain('PIPEFORGE_MAX_REJECT_RATIO');
    const loaded = await harness.pool.exists(sql.unsafe`select 1 from orders where order_ref like 'MOSTLY-%'`);
    expect(loaded).toBe(false);
    const staged = await harness.pool.exists(sql.unsafe`
      select 1 from staging_order_lines where ingestion_file_id = ${summary.fileId}`);
    expect(staged).toBe(false);
  });

  it('fails a file whose header lacks required columns, naming them', async () => {
    const path = join(workDir, 'no-price.csv');
    await writeFile(path, 'order_ref,order_date,customer_email,sku,product_name,category,quantity\nA,2026-09-01,a@example.com,S,P,C,1\n');
    const summary = await harness.ingest(path);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/no-price\.csv/);
    expect(summary.error).toMatch(/unit_price/);
    expect(summary.error).toMatch(/payment_method/);
  });
});

describe('an order seen again in a later file', () => {
  it('replaces the order as a whole and re-aggregates the day it left', async () => {
    const first = await harness.ingest(
      await csvFile('first.csv', [
        'MOVE-1,2026-08-01T09:00:00Z,mover@example.com,Lagos,SKU-M1,Mover One,Moves,2,15.00,card',
        'MOVE-1,2026-08-01T09:00:00Z,mover@example.com,Lagos,SKU-M2,Mover Two,Moves,1,5.50,card',
        'STAY-1,2026-08-01T11:00:00Z,stayer@example.com,Lagos,SKU-M1,Mover One,Moves,1,15.00,mpesa',
      ]),
    );
    expect(first.status).toBe('completed');
    const second = await harness.ingest(
      await csvFile('second.csv', [
        'MOVE-1,2026-08-05T09:00:00+03:00,other@example.com,Accra,SKU-M2,Mover Two,Moves,4,6.00,Bank Transfer',
      ]),
    );
    expect(second.status).toBe('completed');

    const order = await harness.pool.one(sql.type(
      z.object({ orderDate: z.string(), total: z.string(), payment: z.string(), items: z.number(), fileId: z.string() }),
    )`select o.order_date as "orderDate", o.total_amount as total, o.payment_method::text as payment,
             (select count(*) from order_items oi where oi.order_id = o.id) as items, o.ingestion_file_id as "fileId"
      from orders o where order_ref = 'MOVE-1'`);
    expect(order).toEqual({
      orderDate: '2026-08-05T06:00:00.000Z',
      total: '24.00',
      payment: 'bank_transfer',
      items: 1,
      fileId: second.fileId,
    });

    const days = await harness.pool.any(sql.type(
      z.object({ date: z.string(), sku: z.string(), revenue: z.string(), orders: z.number(), payment: z.string() }),
    )`select a.date, p.sku, a.total_revenue as revenue, a.order_count as orders, a.payment_method as payment
      from sales_aggregates_daily a join products p on p.id = a.product_id
      where p.sku like 'SKU-M%' order by a.date, p.sku, a.payment_method`);
    expect(days).toEqual([
      { date: '2026-08-01', sku: 'SKU-M1', revenue: '15.00', orders: 1, payment: 'mpesa' },
      { date: '2026-08-05', sku: 'SKU-M2', revenue: '24.00', orders: 1, payment: 'bank_transfer' },
    ]);

    const customers = await harness.pool.any(sql.type(
      z.object({ region: z.string().nullable(), first: z.string().nullable(), last: z.string().nullable() }),
    )`select region, first_order_at as first, last_order_at as last from customers
      where email_hash in (select email_hash from customers) order by inserted_at, id`);
    expect(customers).toEqual(expect.arrayContaining([{ region: 'Accra', first: '2026-08-05T06:00:00.000Z', last: '2026-08-05T06:00:00.000Z' }]));
  });
});
