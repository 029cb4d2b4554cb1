import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from '../../src/db/sql.ts';
import { z } from 'zod';
import { createActivities } from '../../src/activities/index.ts';
import { sha256File } from '../../src/client/submit-file.ts';
import { settleLoadPlan } from '../../src/db/load-plan.ts';
import { prepareLoad } from '../../src/db/load-prepare.ts';
import { loadRebuildingIndexes } from '../../src/db/load-rebuilding-indexes.ts';
import { loadStagedFile } from '../../src/db/load-staged-file.ts';
import { groupStagedOrders } from '../../src/db/staging-orders.ts';
import { createLogger } from '../../src/logger.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { canonicalDump } from '../support/canonical-dump.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * A file at least as large as what order_items holds is loaded in one transaction that drops the
 * secondary indexes of orders and order_items, and their unique keys no foreign key depends on, and
 * builds them again. The database must end exactly as the chunked load leaves it, with the same
 * indexes and constraints, and a retry must not apply the file twice. One harness takes each
 * file's plan as decided; the other is made to load every file chunk by chunk.
 */
const logger = createLogger('warn', { test: 'load-rebuilding-indexes' });
const indexRow = z.object({ definition: z.string() });
const planRow = z.object({ rebuildsIndexes: z.boolean().nullable() });

let rebuilding: PipelineHarness;
let chunked: PipelineHarness;
let workDir: string;
let first: string;
let replacing: string;
let small: string;

beforeAll(async () => {
  [rebuilding, chunked] = await Promise.all([startPipelineHarness(), startPipelineHarness()]);
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-rebuild-'));
  first = await writeGeneratedFile(join(workDir, 'first.csv'), { rows: 2_000, seed: 31, days: 15 });
  // The same order refs with other content: every order of the first file is replaced, many move days.
  replacing = await writeGeneratedFile(join(workDir, 'replacing.csv'), { rows: 2_500, seed: 32, days: 15 });
  small = await writeGeneratedFile(join(workDir, 'small.csv'), { rows: 300, seed: 33, days: 3, orderPrefix: 'SMALL-' });
});

afterAll(async () => {
  await Promise.all([rebuilding?.stop(), chunked?.stop()]);
  await rm(workDir, { recursive: true, force: true });
});

/**
 * Every index and constraint of the two tables, as PostgreSQL would create them again: a primary
 * key put back as a plain unique index would show here.
 */
function indexDefinitions(harness: PipelineHarness): Promise<readonly string[]> {
  return harness.pool.anyFirst(sql.type(indexRow)`
    select definition from (
      select pg_get_indexdef(i.indexrelid) as definition
      from pg_index i
      where i.indrelid in ('orders'::regclass, 'order_items'::regclass)
      union all
      select c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
      from pg_constraint c
      where c.conrelid in ('orders'::regclass, 'order_items'::regclass)
    ) every_definition
    order by 1`);
}

/** The activities of a harness, run one at a time by the test. */
function activityRunner(harness: PipelineHarness) {
  const activities = createActivities({ ...harness, logger });
  const env = new MockActivityEnvironment();
  const run = <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: A) =>
    env.run(activity, ...args) as Promise<R>;
  return { activities, run };
}

/** The first two stages of a file as the worker runs them; returns its id. */
async function hashAndParse(harness: PipelineHarness, path: string, filename: string): Promise<string> {
  const { activities, run } = activityRunner(harness);
  const contentHash = await sha256File(path);
  const objectKey = uploadKey(contentHash, filename);
  await harness.store.uploadFile(objectKey, path);
  const { fileId } = await run(activities.hashAndClaim, { objectKey, filename, contentHash });
  await run(activities.parseToStaging, { fileId, objectKey, filename });
  return fileId;
}

/** Loads a file on `chunked` with the chunked plan imposed before its load decides one. */
async function ingestChunkByChunk(path: string, filename: string): Promise<void> {
  const fileId = await hashAndParse(chunked, path, filename);
  await chunked.pool.query(sql.typeAlias('void')`update ingestion_files set load_rebuilds_indexes = false where id = ${fileId}`);
  const { activities, run } = activityRunner(chunked);
  await run(activities.loadFromStaging, { fileId });
  await run(activities.aggregateDays, { fileId });
  await run(activities.markFileCompleted, { fileId });
}

function planOf(harness: PipelineHarness, fileId: string): Promise<boolean | null> {
  return harness.pool.oneFirst(sql.type(planRow)`
    select load_rebuilds_indexes as "rebuildsIndexes" from ingestion_files where id = ${fileId}`);
}

describe('a load that rebuilds the indexes', () => {
  it('is taken by a file as large as the tables, leaves the same indexes and the same rows as a chunked load', async () => {
    const indexesBefore = await indexDefinitions(rebuilding);
    // Into an empty database, then the same number of replacing lines and more: both rebuild.
    for (const [path, filename] of [[first, 'first.csv'], [replacing, 'replacing.csv']] as const) {
      const summary = await rebuilding.ingest(path, filename);
      expect(summary).toMatchObject({ status: 'completed' });
      expect(await planOf(rebuilding, summary.fileId!)).toBe(true);
      await ingestChunkByChunk(path, filename);
    }
    // Far smaller than what the tables hold now: chunk by chunk.
    const smallSummary = await rebuilding.ingest(small, 'small.csv');
    expect(await planOf(rebuilding, smallSummary.fileId!)).toBe(false);
    await ingestChunkByChunk(small, 'small.csv');

    expect(await indexDefinitions(rebuilding)).toEqual(indexesBefore);
    const dump = await canonicalDump(rebuilding.pool);
    expect(dump).toEqual(await canonicalDump(chunked.pool));
    expect(dump.tables.orderItems.rows).toBeGreaterThan(2_500);
  });

  it('leaves the indexes in place when its transaction fails', async () => {
    const path = await writeGeneratedFile(join(workDir, 'failing.csv'), { rows: 400, seed: 34, days: 2, orderPrefix: 'FAIL-' });
    const fileId = await hashAndParse(chunked, path, 'failing.csv');
    const timeZone = chunked.pipeline.businessTimeZone;
    const indexesBefore = await indexDefinitions(chunked);
    const interruption = new Error('the worker died before the commit');
    await groupStagedOrders(chunked.pool, fileId);

    await expect(
      chunked.pool.transaction(async (tx) => {
        await prepareLoad(tx, fileId, timeZone);
        await loadRebuildingIndexes(tx, fileId, timeZone);
        throw interruption;
      }),
    ).rejects.toBe(interruption);

    expect(await indexDefinitions(chunked)).toEqual(indexesBefore);
    const loadedOrders = await chunked.pool.oneFirst(sql.type(z.object({ count: z.number() }))`
      select count(*) as count from orders where order_ref like 'FAIL-%'`);
    expect(loadedOrders).toBe(0);
  });

  it('fails to build a suspended unique key again over a duplicate, so the load would roll back', async () => {
    const duplicateRef = 'DUPLICATE-1';
    const attempt = chunked.pool.transaction(async (tx) => {
      await tx.query(sql.typeAlias('void')`lock table orders, order_items in access exclusive mode`);
      await tx.query(sql.typeAlias('void')`select pipeforge_suspend_indexes('orders')`);
      await tx.query(sql.typeAlias('void')`
        with customer as (
          insert into customers (email_hash) values (repeat('d', 64)) returning id
        )
        insert into orders (order_ref, order_date, customer_id, total_amount, payment_method)
        select ${duplicateRef}, now(), customer.id, 1, 'card' from customer, generate_series(1, 2)`);
      await tx.query(sql.typeAlias('void')`select pipeforge_restore_indexes()`);
    });
    await expect(attempt).rejects.toThrow(/orders_order_ref_key/);
    const left = await chunked.pool.oneFirst(sql.type(z.object({ count: z.number() }))`
      select count(*) as count from orders where order_ref = ${duplicateRef}`);
    expect(left).toBe(0);
  });

  it('is applied once when the load runs again after its transaction committed', async () => {
    const path = await writeGeneratedFile(join(workDir, 'retried.csv'), { rows: 3_000, seed: 35, days: 4, orderPrefix: 'RETRY-' });
    const reference = await startPipelineHarness();
    try {
      const fileId = await hashAndParse(reference, path, 'retried.csv');
      const timeZone = reference.pipeline.businessTimeZone;
      // The load's first step and its single chunk commit; then the worker "dies".
      await groupStagedOrders(reference.pool, fileId);
      await reference.pool.transaction(async (tx) => {
        await prepareLoad(tx, fileId, timeZone);
        expect(await settleLoadPlan(tx, fileId)).toEqual({ rebuildsIndexes: true, chunks: 1 });
      });
      const committed = await reference.pool.transaction((tx) => loadRebuildingIndexes(tx, fileId, timeZone));
      expect(committed?.rowsLoaded).toBe(3_000);
      expect(await reference.pool.transaction((tx) => loadRebuildingIndexes(tx, fileId, timeZone))).toBeNull();

      const loaded = await loadStagedFile(reference.pool, fileId, timeZone);
      expect(loaded).toMatchObject({ rowsLoaded: 3_000, alreadyLoaded: false });
      const lines = await reference.pool.oneFirst(sql.type(z.object({ count: z.number() }))`
        select count(*) as count from order_items`);
      expect(lines).toBe(3_000);
    } finally {
      await reference.stop();
    }
  });
});
