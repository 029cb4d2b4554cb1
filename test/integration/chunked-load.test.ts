import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'slonik';
import { z } from 'zod';
import { createActivities } from '../../src/activities/index.ts';
import { sha256File } from '../../src/client/submit-file.ts';
import { loadChunk } from '../../src/db/load-chunk.ts';
import { createDatabasePool } from '../../src/db/pool.ts';
import { prepareLoad } from '../../src/db/load-prepare.ts';
import { ROW_BY_ROW_CHUNKS as LOAD_CHUNKS, settleLoadPlan } from '../../src/db/load-plan.ts';
import { loadStagedFile, type LoadEvent } from '../../src/db/load-staged-file.ts';
import { groupStagedOrders } from '../../src/db/staging-orders.ts';
import { createLogger } from '../../src/logger.ts';
import { createPipelineMetrics, type PipelineMetrics } from '../../src/metrics/pipeline-metrics.ts';
import { SAMPLE_HEADER } from '../../src/sample/generate-order-lines.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { canonicalDump } from '../support/canonical-dump.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * A load that stopped after some of its chunks committed (a crash between them) must, when run
 * again, apply the rest exactly once: the database ends as if the file had loaded in one go.
 * Two harnesses (each its own database) ingest the same two files, the second replacing orders of
 * the first; on one of them the second file's load is interrupted after its first chunk.
 */
const logger = createLogger('warn', { test: 'chunked-load' });
const countRow = z.object({ count: z.number() });

let reference: PipelineHarness;
let interrupted: PipelineHarness;
let workDir: string;
let first: string;
let second: string;

beforeAll(async () => {
  [reference, interrupted] = await Promise.all([startPipelineHarness(), startPipelineHarness()]);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-chunked-load-'));
  first = await writeGeneratedFile(join(workDir, 'first.csv'), { rows: 3_000, seed: 11, days: 20 });
  // Same order refs, other content: every order of the first file is replaced, many move days.
  second = await writeGeneratedFile(join(workDir, 'second.csv'), { rows: 2_400, seed: 12, days: 20 });
});

afterAll(async () => {
  await Promise.all([reference?.stop(), interrupted?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

/** The worker's activities on the interrupted harness, run one at a time by the test. */
function activityRunner(metrics?: PipelineMetrics) {
  const activities = createActivities({ ...interrupted, logger, metrics });
  const env = new MockActivityEnvironment();
  // MockActivityEnvironment.run loses the activity's result type; this keeps it.
  const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
    env.run(activity, ...args) as Promise<R>;
  return { activities, run };
}

/** A file's first two stages, as the worker would run them; returns the file's id. */
async function hashAndParse(path: string, filename: string): Promise<{ fileId: string; rowsRead: number; rowsRejected: number }> {
  const { activities, run } = activityRunner();
  const contentHash = await sha256File(path);
  const objectKey = uploadKey(contentHash, filename);
  await interrupted.store.uploadFile(objectKey, path);
  const { fileId } = await run(activities.hashAndClaim, { objectKey, filename, contentHash });
  const parsed = await run(activities.parseToStaging, { fileId, objectKey, filename });
  return { fileId, rowsRead: parsed.rowsRead, rowsRejected: parsed.rowsRejected };
}

/**
 * Two files of one-line orders of product `sku`: the first has `<prefix>-A` (09-10, 10.00) and
 * `<prefix>-B` (09-05, 20.00); the second moves `<prefix>-A` to 09-01 at 30.00, so that the
 * product's latest line becomes `<prefix>-B`'s.
 */
async function writeReplacedLatestLine(sku: string, prefix: string): Promise<{ first: string; replacing: string }> {
  const line = (ref: string, date: string, price: string) =>
    `${prefix}-${ref},${date},buyer@example.com,Nairobi,${sku},Lamp,Home,1,${price},card`;
  const first = join(workDir, `${prefix.toLowerCase()}.csv`);
  const replacing = join(workDir, `${prefix.toLowerCase()}-replacing.csv`);
  await writeFile(first, [SAMPLE_HEADER, line('A', '2026-09-10T10:00:00Z', '10.00'), line('B', '2026-09-05T10:00:00Z', '20.00')].join('\n'));
  await writeFile(replacing, [SAMPLE_HEADER, line('A', '2026-09-01T10:00:00Z', '30.00')].join('\n'));
  return { first, replacing };
}

/** These files are smaller than what the database already holds: their loads go chunk by chunk. */
async function expectChunkedPlan(fileId: string): Promise<void> {
  const plan = await interrupted.pool.transaction((tx) => settleLoadPlan(tx, fileId));
  expect(plan).toEqual({ rebuildsIndexes: false, chunks: LOAD_CHUNKS });
}

function basePriceOf(sku: string): Promise<string> {
  return interrupted.pool.oneFirst(sql.type(z.object({ price: z.string() }))`select base_price as price from products where sku = ${sku}`);
}

describe('a load interrupted between its chunks', () => {
  it('skips the committed chunk when run again and ends as an uninterrupted load', async () => {
    expect(LOAD_CHUNKS).toBeGreaterThan(1);
    for (const path of [first, second]) expect(await reference.ingest(path)).toMatchObject({ status: 'completed' });
    expect(await interrupted.ingest(first)).toMatchObject({ status: 'completed' });

    const { activities, run } = activityRunner();
    const { fileId, ...parsed } = await hashAndParse(second, 'second.csv');
    expect(parsed).toEqual({ rowsRead: 2_400, rowsRejected: 0 });

    // The load's first transaction and its first chunk commit; then the worker "dies".
    const timeZone = interrupted.pipeline.businessTimeZone;
    await interrupted.pool.transaction((tx) => prepareLoad(tx, fileId, timeZone));
    await groupStagedOrders(interrupted.pool, fileId);
    await expectChunkedPlan(fileId);
    const firstChunk = await interrupted.pool.transaction((tx) => loadChunk(tx, fileId, 0, LOAD_CHUNKS, timeZone));
    expect(firstChunk?.rowsLoaded).toBeGreaterThan(0);

    const told: LoadEvent[] = [];
    const loaded = await loadStagedFile(interrupted.pool, fileId, timeZone, (event) => told.push(event));
    expect(loaded).toMatchObject({ rowsLoaded: 2_400, alreadyLoaded: false });
    // What the load told its progress: the chunk committed before is only found done.
    const toldOf = (chunk: number | null) => told.filter((event) => ('chunk' in event ? event.chunk : null) === chunk).map((event) => event.step);
    expect(toldOf(null)).toEqual(['prepare', 'finish']);
    expect(toldOf(0)).toEqual(['committed']);
    expect(toldOf(1)).toEqual(['orders', 'order-lines', 'committed']);
    await run(activities.aggregateDays, { fileId });
    await run(activities.markFileCompleted, { fileId });

    const dump = await canonicalDump(interrupted.pool);
    expect(dump).toEqual(await canonicalDump(reference.pool));
    expect(dump.stagedRows).toBe(0);
    // Every base price is its product's latest line, checked here by reading all the lines: the
    // load derives it incrementally, and the replaced orders took many of the earlier winners.
    const wrongPrices = await interrupted.pool.oneFirst(sql.type(countRow)`
      select count(*) as count
      from products p
      join (
        select distinct on (oi.product_id) oi.product_id, oi.price
        from order_items oi join orders o on o.id = oi.order_id
        order by oi.product_id, o.order_date desc, oi.id desc
      ) latest on latest.product_id = p.id
      where p.base_price <> latest.price`);
    expect(wrongPrices).toBe(0);
    const leftovers = await interrupted.pool.oneFirst(sql.type(countRow)`
      select (select count(*) from ingestion_load_chunks) + (select count(*) from ingestion_touched_customers)
           + (select count(*) from ingestion_chunk_latest_prices) as count`);
    expect(leftovers).toBe(0);
  });

  it('is a no-op when run once more after it finished', async () => {
    const before = await canonicalDump(interrupted.pool);
    const fileId = await interrupted.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      select id from ingestion_files where filename = 'second.csv'`);
    const again = await loadStagedFile(interrupted.pool, fileId, interrupted.pipeline.businessTimeZone);
    expect(again).toMatchObject({ rowsLoaded: 2_400, alreadyLoaded: true });
    expect(await canonicalDump(interrupted.pool)).toEqual(before);
  });

  it('is not counted again on /metrics by a retry that finds it finished', async () => {
    const fileId = await interrupted.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      select id from ingestion_files where filename = 'second.csv'`);
    const metrics = createPipelineMetrics();
    const { activities, run } = activityRunner(metrics);

    const again = await run(activities.loadFromStaging, { fileId });

    expect(again).toMatchObject({ rowsLoaded: 2_400, alreadyLoaded: true });
    const counted = await metrics.rowsLoaded.get();
    expect(counted.values.reduce((sum, { value }) => sum + value, 0)).toBe(0);
  });
});

describe('the base price after a replaced order', () => {
  it('falls back to the latest remaining line when the line it came from is replaced by an older one', async () => {
    // PR-A moves before PR-B: the latest line of the product is now PR-B's.
    const { first, replacing } = await writeReplacedLatestLine('PRICE-1', 'PR');

    expect(await interrupted.ingest(first)).toMatchObject({ status: 'completed' });
    expect(await basePriceOf('PRICE-1')).toBe('10.00');
    expect(await interrupted.ingest(replacing)).toMatchObject({ status: 'completed' });
    expect(await basePriceOf('PRICE-1')).toBe('20.00');
  });

  it('is found from all the lines when another file replaces the line a chunk kept before the load ends', async () => {
    // Both orders hash to the same chunk, so that chunk keeps KEPT-A's line only (the later one).
    const { first: kept, replacing } = await writeReplacedLatestLine('PRICE-2', 'KEPT');
    const sameChunk = await interrupted.pool.oneFirst(sql.type(z.object({ same: z.boolean() }))`
      select mod(hashtext('KEPT-A')::bigint + 2147483648, ${LOAD_CHUNKS}) = mod(hashtext('KEPT-B')::bigint + 2147483648, ${LOAD_CHUNKS}) as same`);
    expect(sameChunk).toBe(true);

    const { fileId } = await hashAndParse(kept, 'kept.csv');
    const timeZone = interrupted.pipeline.businessTimeZone;
    await interrupted.pool.transaction((tx) => prepareLoad(tx, fileId, timeZone));
    await groupStagedOrders(interrupted.pool, fileId);
    await expectChunkedPlan(fileId);
    for (let chunk = 0; chunk < LOAD_CHUNKS; chunk += 1) {
      await interrupted.pool.transaction((tx) => loadChunk(tx, fileId, chunk, LOAD_CHUNKS, timeZone));
    }
    // Between the chunks and the load's last step, another file replaces KEPT-A, deleting the kept line.
    expect(await interrupted.ingest(replacing)).toMatchObject({ status: 'completed' });
    await loadStagedFile(interrupted.pool, fileId, timeZone);

    // The latest remaining line is KEPT-B's (KEPT-A moved to 09-01).
    expect(await basePriceOf('PRICE-2')).toBe('20.00');
  });
});

describe('loads side by side', () => {
  it('all finish on a pool of two connections: none waits for a connection while holding one', async () => {
    const files = await Promise.all(
      [31, 32, 33].map(async (seed) => {
        const path = await writeGeneratedFile(join(workDir, `side-${seed}.csv`), { rows: 400, seed, days: 3, orderPrefix: `SIDE${seed}-` });
        return hashAndParse(path, `side-${seed}.csv`);
      }),
    );
    for (const { fileId } of files) await expectChunkedPlan(fileId);
    const narrowPool = await createDatabasePool({ url: interrupted.databaseUrl, poolSize: 2 });
    try {
      const timeZone = interrupted.pipeline.businessTimeZone;
      const loaded = await Promise.all(files.map(({ fileId }) => loadStagedFile(narrowPool, fileId, timeZone)));
      expect(loaded.map((result) => result.rowsLoaded)).toEqual([400, 400, 400]);
    } finally {
      await narrowPool.end();
    }
  });
});

describe('the aggregate stage of a file', () => {
  it('skips the days whose rollup was recomputed after its load, and a repair recomputes them all', async () => {
    const path = await writeGeneratedFile(join(workDir, 'skip.csv'), { rows: 500, seed: 21, days: 5, orderPrefix: 'SKIP-' });
    const summary = await interrupted.ingest(path);
    expect(summary).toMatchObject({ status: 'completed', aggregatedDays: 5 });
    const dates = await interrupted.pool.anyFirst(sql.type(z.object({ date: z.string() }))`
      select business_date as date from ingestion_affected_dates where ingestion_file_id = ${summary.fileId}`);
    const { activities, run } = activityRunner();
    const aggregate = (onlyChangedDays: boolean) => run(activities.aggregateDays, { dates: [...dates], onlyChangedDays });

    // The file's own stage brought these days up to date: a second pass finds nothing to do.
    expect(await aggregate(true)).toEqual({ daysAggregated: 5, daysRecomputed: 0 });
    expect(await aggregate(false)).toEqual({ daysAggregated: 5, daysRecomputed: 5 });
  });
});

describe('customer order spans after loads that replaced orders', () => {
  it('equal the first and last order date read from all of each customer’s orders', async () => {
    // Every file above ran on this database: orders moved between customers and across days.
    const wrong = await interrupted.pool.oneFirst(sql.type(countRow)`
      select count(*) as count from customers c
      left join (
        select customer_id, min(order_date) as first_order_at, max(order_date) as last_order_at
        from orders group by customer_id
      ) span on span.customer_id = c.id
      where (c.first_order_at, c.last_order_at) is distinct from (span.first_order_at, span.last_order_at)`);
    const customers = await interrupted.pool.oneFirst(sql.type(countRow)`select count(*) as count from customers`);
    expect(customers).toBeGreaterThan(100);
    expect(wrong).toBe(0);
  });
});
