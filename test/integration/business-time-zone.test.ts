import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { salesReportBy } from '../../src/db/sales-report-by.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * The business day is the calendar day in PIPEFORGE_BUSINESS_TZ, at its midnight, not UTC's. The
 * same file goes to a worker whose business zone is Africa/Nairobi (UTC+3) and to one whose zone is
 * Africa/Lagos (UTC+1); dates without an offset are read in the source zone, Africa/Lagos. Each
 * order has its own SKU, so each lands in exactly one rollup row whose date can be checked.
 */

const HEADER = 'order_ref,order_date,customer_email,customer_region,sku,product_name,category,quantity,unit_price,payment_method';

/** order_date as written; the instant in UTC; the business date in Nairobi and in Lagos. */
const CASES = [
  { sku: 'N-LAST', written: '2026-11-10T20:59:59Z', nairobi: '2026-11-10', lagos: '2026-11-10' },
  { sku: 'N-FIRST', written: '2026-11-10T21:00:00Z', nairobi: '2026-11-11', lagos: '2026-11-10' },
  // Offset-less: read in the source zone, Lagos. 21:59:59 in Lagos is 23:59:59 in Nairobi.
  { sku: 'L-LOCAL-LAST', written: '2026-11-10T21:59:59', nairobi: '2026-11-10', lagos: '2026-11-10' },
  { sku: 'L-LOCAL-FIRST', written: '2026-11-10T22:00:00', nairobi: '2026-11-11', lagos: '2026-11-10' },
  { sku: 'L-LAST', written: '2026-11-10T23:59:59+01:00', nairobi: '2026-11-11', lagos: '2026-11-10' },
  { sku: 'L-FIRST', written: '2026-11-11T00:00:00+01:00', nairobi: '2026-11-11', lagos: '2026-11-11' },
  // A bare date is midnight in the source zone: 23:00 UTC the evening before.
  { sku: 'BARE', written: '2026-11-12', nairobi: '2026-11-12', lagos: '2026-11-12' },
  { sku: 'UTC-LATE', written: '2026-11-11T23:30:00Z', nairobi: '2026-11-12', lagos: '2026-11-12' },
] as const;

let nairobi: PipelineHarness;
let lagos: PipelineHarness;
let workDir: string;
let csvPath: string;

beforeAll(async () => {
  [nairobi, lagos] = await Promise.all([
    startPipelineHarness({ businessTimeZone: 'Africa/Nairobi', sourceTimeZone: 'Africa/Lagos' }),
    startPipelineHarness({ businessTimeZone: 'Africa/Lagos', sourceTimeZone: 'Africa/Lagos' }),
  ]);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-zones-'));
  csvPath = join(workDir, 'midnight.csv');
  const lines = CASES.map(
    (c, index) => `Z-${index},${c.written},buyer${index % 3}@example.com,Nairobi,${c.sku},Item ${c.sku},Zones,1,10.00,mpesa`,
  );
  await writeFile(csvPath, `${HEADER}\n${lines.join('\n')}\n`);
});

afterAll(async () => {
  await Promise.all([nairobi?.stop(), lagos?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

async function rollupDates(harness: PipelineHarness): Promise<Record<string, string>> {
  const rows = await harness.pool.any(sql.type(z.object({ sku: z.string(), date: z.string() }))`
    select p.sku, a.date::text as date from sales_aggregates_daily a join products p on p.id = a.product_id`);
  return Object.fromEntries(rows.map((row) => [row.sku, row.date]));
}

describe('the business time zone', () => {
  it('puts orders around midnight on the Nairobi calendar day', async () => {
    expect((await nairobi.ingest(csvPath)).status).toBe('completed');
    expect(await rollupDates(nairobi)).toEqual(Object.fromEntries(CASES.map((c) => [c.sku, c.nairobi])));
  });

  it('puts the same instants on the Lagos calendar day under a Lagos business zone', async () => {
    expect((await lagos.ingest(csvPath)).status).toBe('completed');
    expect(await rollupDates(lagos)).toEqual(Object.fromEntries(CASES.map((c) => [c.sku, c.lagos])));
  });

  it('reads offset-less dates in the source zone', async () => {
    const instants = await nairobi.pool.any(sql.type(z.object({ sku: z.string(), at: z.string() }))`
      select p.sku, o.order_date as at
      from orders o join order_items oi on oi.order_id = o.id join products p on p.id = oi.product_id
      where p.sku in ('L-LOCAL-FIRST', 'BARE')
      order by p.sku`);
    expect(instants).toEqual([
      { sku: 'BARE', at: '2026-11-11T23:00:00.000Z' },
      { sku: 'L-LOCAL-FIRST', at: '2026-11-10T21:00:00.000Z' },
    ]);
  });

  it('makes the report count orders and customers on the same business days as the rollup', async () => {
    const expectedOrders = (zone: 'nairobi' | 'lagos') => {
      const perDay = new Map<string, number>();
      for (const c of CASES) perDay.set(c[zone], (perDay.get(c[zone]) ?? 0) + 1);
      return [...perDay].sort().map(([key, orders]) => ({ key, orders, revenue: (orders * 10).toFixed(2) }));
    };
    for (const [harness, zone, timeZone] of [
      [nairobi, 'nairobi', 'Africa/Nairobi'],
      [lagos, 'lagos', 'Africa/Lagos'],
    ] as const) {
      const report = await salesReportBy(harness.pool, { from: '2026-11-10', to: '2026-11-12', by: 'day', timeZone });
      expect(report.rows.map(({ key, orders, revenue }) => ({ key, orders, revenue }))).toEqual(expectedOrders(zone));
    }
  });
});
