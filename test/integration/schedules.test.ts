import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { sql } from 'slonik';
import { z } from 'zod';
import { scheduleCommand } from '../../src/client/commands/schedule.ts';
import { createLogger } from '../../src/logger.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';
import { scheduledAggregationWorkflowId } from '../../src/workflows/aggregate-sales-contract.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * `pipeforge schedule ...` against the dev server: the commands run as the CLI runs them (their
 * stdout captured), on this file's task queue, and a triggered run must repair a damaged rollup.
 */

let harness: PipelineHarness;
let workDir: string;
const name = `pipeforge-test-${randomBytes(4).toString('hex')}`;
const [from, to] = ['2026-10-01', '2026-10-10'];
const savedTaskQueue = process.env.TEMPORAL_TASK_QUEUE;
const logger = createLogger('silent', { component: 'test' });

/** Runs `pipeforge schedule ARGS` in-process and returns its exit code and stdout. */
async function schedule(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const outSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await scheduleCommand(args, logger), stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

const rollupRow = z.object({ key: z.string(), revenue: z.string(), units: z.number(), orders: z.number(), customers: z.number() });

async function rollup(): Promise<Array<z.infer<typeof rollupRow>>> {
  return [
    ...(await harness.pool.any(sql.type(rollupRow)`
      select concat_ws('|', a.date, a.product_id, a.category, a.payment_method) as key, a.total_revenue::text as revenue,
             a.total_units as units, a.order_count as orders, a.unique_customers as customers
      from sales_aggregates_daily a where a.date between ${from}::date and ${to}::date order by 1`)),
  ];
}

/** An independent recomputation from the base tables (business zone of the harness). */
async function expected(): Promise<Array<z.infer<typeof rollupRow>>> {
  const zone = harness.pipeline.businessTimeZone;
  return [
    ...(await harness.pool.any(sql.type(rollupRow)`
      select concat_ws('|', d.date, d.product_id, d.category, d.payment_method) as key,
             sum(d.quantity * d.price)::numeric(16, 2)::text as revenue, sum(d.quantity) as units,
             count(distinct d.order_ref) as orders, count(distinct d.customer_id) as customers
      from (
        select timezone(${zone}, o.order_date)::date as date, oi.product_id, p.category, o.payment_method,
               oi.quantity, oi.price, o.order_ref, o.customer_id
        from orders o join order_items oi on oi.order_id = o.id join products p on p.id = oi.product_id
      ) d
      where d.date between ${from}::date and ${to}::date
      group by d.date, d.product_id, d.category, d.payment_method
      order by 1`)),
  ];
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  harness = await startPipelineHarness();
  process.env.TEMPORAL_TASK_QUEUE = harness.taskQueue;
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-schedules-'));
  const path = join(workDir, 'orders.csv');
  await writeFile(path, await buffer(generateOrderLines({ rows: 300, seed: 5, days: 10, endDate: '2026-10-11' })));
  expect((await harness.ingest(path)).status).toBe('completed');
});

afterAll(async () => {
  // Leave no schedule behind on the shared dev server, whatever failed.
  await harness?.client.schedule
    .getHandle(name)
    .delete()
    .catch(() => undefined);
  if (savedTaskQueue === undefined) delete process.env.TEMPORAL_TASK_QUEUE;
  else process.env.TEMPORAL_TASK_QUEUE = savedTaskQueue;
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pipeforge schedule', () => {
  it('creates a schedule, and updates it when created again under the same name', async () => {
    const created = await schedule('create', name, '--cron', '30 0 * * *', '--tz', 'Africa/Nairobi', '--from', from, '--to', to);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toContain(`schedule ${name} created`);

    const updated = await schedule('create', name, '--every', '12h', '--from', from, '--to', to);
    expect(updated).toMatchObject({ code: 0 });
    expect(updated.stdout).toContain(`schedule ${name} updated`);

    const description = await harness.client.schedule.getHandle(name).describe();
    expect(description.spec.intervals?.map((interval) => interval.every)).toEqual([12 * 3_600_000]);
    expect(description.spec.calendars ?? []).toEqual([]);
    expect(description.policies.overlap).toBe('BUFFER_ONE');
    expect(description.action).toMatchObject({
      workflowType: 'aggregateSalesWorkflow',
      taskQueue: harness.taskQueue,
      args: [{ from, to }],
    });

    // Listing reads the server's visibility store, which may lag a create by a moment.
    type View = { name: string; cadence: string; range: string; paused: boolean };
    let listed: View | undefined;
    await eventually(async () => {
      const views = JSON.parse((await schedule('list', '--json')).stdout) as View[];
      listed = views.find((view) => view.name === name);
      return listed !== undefined;
    });
    expect(listed).toMatchObject({ cadence: 'every 12h', range: `${from}..${to}`, paused: false });
  });

  it('refuses a command line it cannot honour, with the usage', async () => {
    const both = await schedule('create', name, '--cron', '0 1 * * *', '--every', '1h');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --cron EXPR and --every DURATION');
    const mixed = await schedule('create', name, '--every', '1h', '--last-days', '2', '--from', from);
    expect(mixed.code).toBe(2);
  });

  it('pauses and unpauses', async () => {
    expect((await schedule('pause', name)).code).toBe(0);
    expect(JSON.parse((await schedule('describe', name, '--json')).stdout)).toMatchObject({ name, paused: true });
    expect((await schedule('unpause', name)).code).toBe(0);
    expect((await harness.client.schedule.getHandle(name).describe()).state.paused).toBe(false);
  });

  it('recomputes the damaged rollup when triggered', async () => {
    const good = await expected();
    expect(good.length).toBeGreaterThan(10);
    expect(await rollup()).toEqual(good);
    await harness.pool.query(sql.unsafe`
      delete from sales_aggregates_daily where date = ${from}::date`);
    await harness.pool.query(sql.unsafe`
      update sales_aggregates_daily set total_units = total_units + 7, order_count = 0 where date = ${to}::date`);
    expect(await rollup()).not.toEqual(good);

    const triggered = await schedule('trigger', name);
    expect(triggered).toMatchObject({ code: 0 });
    await eventually(async () => JSON.stringify(await rollup()) === JSON.stringify(good));

    // The run was the schedule's, on this queue.
    let runs: Array<{ workflowId: string }> = [];
    await eventually(async () => {
      runs = (await harness.client.schedule.getHandle(name).describe()).info.recentActions.map((action) => action.action.workflow);
      return runs.length > 0;
    });
    expect(runs[0]?.workflowId.startsWith(scheduledAggregationWorkflowId(name))).toBe(true);
    const result = await harness.client.workflow.getHandle(runs[0]?.workflowId ?? '').result();
    expect(result).toEqual({ from, to, daysAggregated: 10 });
  });

  it('deletes the schedule', async () => {
    expect((await schedule('delete', name)).code).toBe(0);
    const gone = await schedule('describe', name);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`no schedule named ${name}`);
  });
});
