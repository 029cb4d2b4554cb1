import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { awaitAggregation, startAggregation } from '../../src/client/start-aggregation.ts';
import { recomputeDailyAggregates } from '../../src/db/sales-aggregates.ts';
import { generateOrderLines, type GeneratorOptions } from '../../src/sample/generate-order-lines.ts';
import type { AggregateSalesProgress } from '../../src/workflows/aggregate-sales-contract.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * AggregateSalesWorkflow against the real stack: the rollup is damaged in every way it can be
 * (rows missing, numbers wrong, rows that should not exist), and a backfill must leave exactly what
 * an independent query over the base tables says, touching nothing outside its range.
 */

let harness: PipelineHarness;
let workDir: string;

const aggregateRow = z.object({
  date: z.string(),
  sku: z.string(),
  category: z.string(),
  payment: z.string(),
  revenue: z.string(),
  units: z.number(),
  orders: z.number(),
  customers: z.number(),
});
type AggregateRow = z.infer<typeof aggregateRow>;

async function ingestGenerated(name: string, options: GeneratorOptions): Promise<void> {
  const path = join(workDir, name);
  await writeFile(path, await buffer(generateOrderLines(options)));
  const summary = await harness.ingest(path);
  expect(summary.status).toBe('completed');
}

/** Written here without the pipeline's SQL: natural keys, plain grouping, the zone from the harness. */
async function expectedRollup(from: string, to: string): Promise<AggregateRow[]> {
  const zone = harness.pipeline.businessTimeZone;
  return [
    ...(await harness.pool.any(sql.type(aggregateRow)`
      select d.date::text as date, d.sku, d.category, d.payment,
             sum(d.quantity * d.price)::numeric(16, 2)::text as revenue, sum(d.quantity) as units,
             count(distinct d.order_ref) as orders, count(distinct d.email_hash) as customers
      from (
        select timezone(${zone}, o.order_date)::date as date, p.sku, p.category, o.payment_method::text as payment,
               oi.quantity, oi.price, o.order_ref, c.email_hash
        from orders o
        join customers c on c.id = o.customer_id
        join order_items oi on oi.order_id = o.id
        join products p on p.id = oi.product_id
      ) d
      where d.date between ${from}::date and ${to}::date
      group by 1, 2, 3, 4
      order by 1, 2, 3, 4`)),
  ];
}

async function actualRollup(from: string, to: string): Promise<AggregateRow[]> {
  return [
    ...(await harness.pool.any(sql.type(aggregateRow)`
      select a.date::text as date, p.sku, a.category, a.payment_method as payment, a.total_revenue::text as revenue,
             a.total_units as units, a.order_count as orders, a.unique_customers as customers
      from sales_aggregates_daily a join products p on p.id = a.product_id
      where a.date between ${from}::date and ${to}::date
      order by 1, 2, 3, 4`)),
  ];
}

/** Deletes some rows, falsifies others and adds rows for days without sales, within [from, to]. */
async function damageRollup(from: string, to: string): Promise<void> {
  const days = await harness.pool.anyFirst(sql.type(z.object({ date: z.string() }))`
    select distinct date::text as date from sales_aggregates_daily
    where date between ${from}::date and ${to}::date order by 1`);
  expect(days.length).toBeGreaterThanOrEqual(2);
  await harness.pool.query(sql.unsafe`delete from sales_aggregates_daily where date = ${days[0] ?? ''}::date`);
  await harness.pool.query(sql.unsafe`
    update sales_aggregates_daily set total_revenue = total_revenue + 1, unique_customers = 999
    where date = ${days.at(-1) ?? ''}::date`);
  await harness.pool.query(sql.unsafe`
    insert into sales_aggregates_daily (date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers)
    select ${from}::date, id, 'Ghost', 'other', 1.00, 1, 1, 1 from products order by sku limit 1
    on conflict do nothing`);
}

beforeAll(async () => {
  // A zone other than UTC, so that `lastDays` is resolved with a real zone inside the workflow sandbox.
  harness = await startPipelineHarness({ businessTimeZone: 'Africa/Nairobi' });
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-aggregate-'));
  // 2026-10-01 .. 2026-10-20, all in the past.
  await ingestGenerated('october.csv', { rows: 600, seed: 11, days: 20, endDate: '2026-10-21' });
});

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('AggregateSalesWorkflow', () => {
  it('backfills a range in batches across continue-as-new to exactly what the base tables say', async () => {
    const [from, to] = ['2026-09-28', '2026-10-22'];
    const outsideRow = sql.unsafe`
      insert into sales_aggregates_daily (date, product_id, category, payment_method, total_revenue, total_units, order_count, unique_customers)
      select '2026-10-25'::date, id, 'Outside', 'other', 5.00, 5, 5, 5 from products order by sku limit 1`;
    await harness.pool.query(outsideRow);
    await damageRollup(from, to);
    expect(await actualRollup(from, to)).not.toEqual(await expectedRollup(from, to));

    // 25 days in batches of 2 is 13 activity calls: more than one run may hold, so it continues as new.
    const handle = await startAggregation(harness.client, harness.taskQueue, { from, to, batchDays: 2 });
    const seen: AggregateSalesProgress[] = [];
    const result = await awaitAggregation(handle, (progress) => seen.push(progress));

    expect(result).toEqual({ from, to, daysAggregated: 25 });
    expect(await actualRollup(from, to)).toEqual(await expectedRollup(from, to));
    expect(await harness.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from sales_aggregates_daily where date = '2026-10-25' and category = 'Outside'`)).toBe(1);

    const firstRun = harness.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    expect(await handle.query('progress')).toEqual({ from, to, daysDone: 25, totalDays: 25 });
    for (const progress of seen) {
      expect(progress).toMatchObject({ from, to, totalDays: 25 });
      expect(progress.daysDone).toBeLessThanOrEqual(25);
    }
    const history = JSON.stringify(await firstRun.fetchHistory());
    expect(history).not.toContain('@example.com');
  });

  it('resolves a relative range at run time: lastDays 2 is yesterday and today in the given zone', async () => {
    const zone = harness.pipeline.businessTimeZone;
    const todayIn = () => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
    const tomorrow = new Date(Date.parse(`${todayIn()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await ingestGenerated('recent.csv', { rows: 150, seed: 12, days: 3, endDate: tomorrow, customers: 40, products: 6 });
    const before = todayIn();
    const yesterday = new Date(Date.parse(`${before}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await damageRollup(yesterday, before);

    const result = await harness.client.workflow.execute('aggregateSalesWorkflow', {
      taskQueue: harness.taskQueue,
      workflowId: `aggregate-last-days-${Date.now()}`,
      args: [{ lastDays: 2, timeZone: zone }],
    });

    // A run straddling midnight legitimately moves the range by a day.
    const after = todayIn();
    expect([before, after]).toContain((result as { to: string }).to);
    const { from, to } = result as { from: string; to: string };
    expect(Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)).toBe(86_400_000);
    expect(await actualRollup(from, to)).toEqual(await expectedRollup(from, to));
  });

  it('recomputes scattered days, each whole, and leaves the days between them alone', async () => {
    const [asked, between, alsoAsked] = ['2026-10-06', '2026-10-07', '2026-10-09'];
    await damageRollup(asked, alsoAsked);
    await harness.pool.query(sql.unsafe`
      update sales_aggregates_daily set unique_customers = 999 where date = ${between}::date`);
    const expectedBetween = await expectedRollup(between, between);
    expect(await actualRollup(between, between)).not.toEqual(expectedBetween);

    const zone = harness.pipeline.businessTimeZone;
    const days = await recomputeDailyAggregates(harness.pool, [alsoAsked, asked], zone, { onlyChangedDays: false });

    expect(days).toBe(2);
    for (const day of [asked, alsoAsked]) expect(await actualRollup(day, day)).toEqual(await expectedRollup(day, day));
    expect(await actualRollup(between, between)).not.toEqual(expectedBetween);
  });

  it('builds days without rows and replaces days with rows in one recompute, both to what the base tables say', async () => {
    const [emptied, damaged, alsoEmptied] = ['2026-10-12', '2026-10-13', '2026-10-15'];
    await harness.pool.query(sql.unsafe`
      delete from sales_aggregates_daily where date in (${emptied}::date, ${alsoEmptied}::date)`);
    await harness.pool.query(sql.unsafe`
      update sales_aggregates_daily set total_units = total_units + 1 where date = ${damaged}::date`);
    const zone = harness.pipeline.businessTimeZone;

    // Only days without rows, then a mix of both kinds.
    expect(await recomputeDailyAggregates(harness.pool, [alsoEmptied], zone, { onlyChangedDays: false })).toBe(1);
    expect(await actualRollup(alsoEmptied, alsoEmptied)).toEqual(await expectedRollup(alsoEmptied, alsoEmptied));
    expect(await recomputeDailyAggregates(harness.pool, [damaged, emptied], zone, { onlyChangedDays: false })).toBe(2);

    for (const day of [emptied, damaged]) {
      const expected = await expectedRollup(day, day);
      expect(expected.length).toBeGreaterThan(0);
      expect(await actualRollup(day, day)).toEqual(expected);
    }
  });

  it('refuses a reversed range as a non-retryable failure', async () => {
    const failure = await harness.client.workflow
      .execute('aggregateSalesWorkflow', {
        taskQueue: harness.taskQueue,
        workflowId: `aggregate-invalid-${Date.now()}`,
        args: [{ from: '2026-10-10', to: '2026-10-01' }],
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({
      type: 'InvalidAggregateRange',
      nonRetryable: true,
      message: 'from 2026-10-10 is after to 2026-10-01',
    });
  });
});
