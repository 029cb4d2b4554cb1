import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { sql } from 'slonik';
import { z } from 'zod';
import { awaitIngestion } from '../../src/client/await-ingestion.ts';
import { awaitSubmitted, submitFile } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadPipelineConfig, loadStorageConfig, loadTemporalConfig } from '../../src/config.ts';
import { createDatabasePool, type DatabasePool } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { createObjectStore } from '../../src/storage/object-store.ts';
import { createIngestWorker } from '../../src/worker/create-worker.ts';
import { canonicalDump } from '../support/canonical-dump.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { requireTestEnv, TEST_ENV_KEYS } from '../support/test-env.ts';

/**
 * Ingestions racing each other on one database: the same content submitted twice at the same
 * moment, and ten files with overlapping customers, products and days loaded at once.
 */
const logger = createLogger('warn', { test: 'concurrent-ingestion' });
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-concurrent-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const countRow = z.object({ count: z.number() });
const integrityRow = z.object({ orphanLines: z.number(), inconsistent: z.number() });

describe('the same content submitted twice at the same moment under two names', () => {
  let harness: PipelineHarness;

  beforeAll(async () => {
    harness = await startPipelineHarness();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('runs one ingestion that both callers follow, loads the orders once, and reports a later copy as a duplicate', async () => {
    const original = await writeGeneratedFile(join(workDir, 'original.csv'), { rows: 1_500, seed: 3131, days: 5 });
    const north = join(workDir, 'orders-north.csv');
    const south = join(workDir, 'orders-south.csv');
    await copyFile(original, north);
    await copyFile(original, south);
    const deps = { client: harness.client, store: harness.store, taskQueue: harness.taskQueue };

    const [first, second] = await Promise.all([submitFile(deps, north), submitFile(deps, south)]);
    // One content hash, one workflow id: the second start attached to the first's execution.
    expect(second.workflowId).toBe(first.workflowId);
    const [firstRun, secondRun] = await Promise.all([first.handle.describe(), second.handle.describe()]);
    expect(secondRun.runId).toBe(firstRun.runId);
    // Exactly one of the two started the execution; the other followed it.
    expect([first.attachedToRunning, second.attachedToRunning].sort()).toEqual([false, true]);
    const [starter, follower] = first.attachedToRunning ? [second, first] : [first, second];
    const [loaded, duplicate] = await Promise.all([awaitSubmitted(starter), awaitSubmitted(follower)]);
    expect(loaded).toMatchObject({ status: 'completed', filename: starter.filename, rowsLoaded: 1_500, duplicateOf: null });
    expect(duplicate).toMatchObject({
      status: 'duplicate',
      filename: follower.filename,
      duplicateOf: loaded.fileId,
      rowsLoaded: 0,
    });
    const firstSummary = loaded;

    const dump = await canonicalDump(harness.pool);
    expect(dump.tables.files.rows).toBe(1);
    expect(dump.tables.orderItems.rows).toBe(1_500);
    const duplicatedRefs = await harness.pool.oneFirst(sql.type(countRow)`
      select count(*) as count from (select order_ref from orders group by order_ref having count(*) > 1) d`);
    expect(duplicatedRefs).toBe(0);
    const filesOrders = await harness.pool.oneFirst(sql.type(countRow)`
      select count(distinct ingestion_file_id) as count from orders`);
    expect(filesOrders).toBe(1);

    // Once that run has closed, the same bytes again are a duplicate of it and change nothing.
    const later = await harness.ingest(south, 'orders-south-again.csv');
    expect(later).toMatchObject({ status: 'duplicate', duplicateOf: firstSummary.fileId, rowsLoaded: 0 });
    expect(await canonicalDump(harness.pool)).toEqual(dump);
  });
});

describe('ten files with overlapping customers, products and days ingested at once', () => {
  const FILES = 10;
  const ROWS_PER_FILE = 2_000;
  let paths: string[];
  let database: TestDatabase;
  const workers: Array<{ worker: Worker; running: Promise<void>; connection: NativeConnection; pool: DatabasePool }> = [];
  let client: Client;
  let taskQueue: string;

  beforeAll(async () => {
    // Every file draws from the same 300 customers, 60 products and 7 days; order refs are
    // distinct per file, so no file replaces another's orders and the loading order cannot matter.
    paths = await Promise.all(
      Array.from({ length: FILES }, (_, index) =>
        writeGeneratedFile(join(workDir, `batch-${index}.csv`), {
          rows: ROWS_PER_FILE,
          seed: 9000 + index,
          days: 7,
          customers: 300,
          products: 60,
          orderPrefix: `B${index}-`,
        }),
      ),
    );
    database = await createTestDatabase('concurrent');
    taskQueue = `faults-concurrent-${randomBytes(4).toString('hex')}`;
    const temporal = { ...loadTemporalConfig(), taskQueue };
    // Two workers on one queue: up to eight activities at once, so several loads overlap.
    for (let index = 0; index < 2; index += 1) {
      const connection = await NativeConnection.connect({ address: temporal.address });
      const pool = await createDatabasePool({ url: database.url, poolSize: 4 });
      const worker = await createIngestWorker({
        connection,
        temporal,
        pool,
        databaseUrl: database.url,
        store: createObjectStore(loadStorageConfig()),
        pipeline: loadPipelineConfig(),
        logger,
        workflowBundle: { codePath: requireTestEnv(TEST_ENV_KEYS.workflowBundle) },
      });
      workers.push({ worker, running: worker.run(), connection, pool });
    }
    client = await connectClient(temporal);
  });

  afterAll(async () => {
    for (const { worker } of workers) worker.shutdown();
    for (const { running, connection, pool } of workers) {
      await running;
      await connection.close();
      await pool.end();
    }
    await client?.connection.close();
    await database?.drop();
  });

  it('completes them all without deadlock, with the same totals as loading them one by one', async () => {
    const store = createObjectStore(loadStorageConfig());
    const startedAt = Date.now();
    const submitted = await Promise.all(paths.map((path) => submitFile({ client, store, taskQueue }, path)));
    const all = Promise.all(submitted.map((file) => awaitIngestion(file.handle)));
    // How many loads wrote the base tables at the same moment, sampled while the files run.
    let overlappingLoads = 0;
    let finished = false;
    void all.finally(() => (finished = true));
    while (!finished) {
      const loads = await database.pool.oneFirst(sql.type(countRow)`
        select count(*) as count from pg_stat_activity
        where datname = current_database() and backend_xid is not null
          and query ~* 'insert into (customers|products|orders|order_items)|update (customers|products)'`);
      overlappingLoads = Math.max(overlappingLoads, loads);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const summaries = await all;
    const concurrentMs = Date.now() - startedAt;
    // Otherwise this test would prove nothing about concurrency (4 were seen on a loaded 2-core machine).
    expect(overlappingLoads).toBeGreaterThanOrEqual(2);
    for (const summary of summaries) {
      expect(summary).toMatchObject({ status: 'completed', rowsLoaded: ROWS_PER_FILE, rowsRejected: 0 });
    }
    const concurrent = await canonicalDump(database.pool);
    expect(concurrent.tables.files.rows).toBe(FILES);
    expect(concurrent.tables.orderItems.rows).toBe(FILES * ROWS_PER_FILE);
    const deadlocks = await database.pool.oneFirst(sql.type(countRow)`
      select deadlocks as count from pg_stat_database where datname = current_database()`);

    // One by one, after the concurrent runs closed: the files' workflow ids are the same.
    const oneByOneAt = Date.now();
    const sequential = await startPipelineHarness();
    try {
      for (const path of paths) {
        expect(await sequential.ingest(path)).toMatchObject({ status: 'completed', rowsLoaded: ROWS_PER_FILE });
      }
      expect(concurrent).toEqual(await canonicalDump(sequential.pool));
    } finally {
      await sequential.stop();
    }
    process.stderr.write(
      `concurrent ingestion: ${FILES} files at once ${concurrentMs} ms, one by one ${Date.now() - oneByOneAt} ms, ` +
        `at most ${overlappingLoads} loads seen writing at once, deadlocks detected (and retried) ${deadlocks}\n`,
    );
  });

  it('leaves each order replaced by several files at once with the lines of one of them only', async () => {
    // The same order refs (about 500) in every file, each file with its own lines: the base file creates
    // the orders, then four files replace them all at the same moment.
    const shared = (index: number) =>
      writeGeneratedFile(join(workDir, `shared-${index}.csv`), {
        rows: 1_500,
        seed: 7000 + index,
        days: 7,
        customers: 300,
        products: 60,
        orderPrefix: 'SHARED-',
      });
    const store = createObjectStore(loadStorageConfig());
    const base = await submitFile({ client, store, taskQueue }, await shared(0));
    expect(await awaitIngestion(base.handle)).toMatchObject({ status: 'completed' });
    const replacements = await Promise.all([1, 2, 3, 4].map(shared));
    const submitted = await Promise.all(replacements.map((path) => submitFile({ client, store, taskQueue }, path)));
    for (const summary of await Promise.all(submitted.map((file) => awaitIngestion(file.handle)))) {
      expect(summary).toMatchObject({ status: 'completed' });
    }
    // An order holding lines of two files has more lines, and a larger sum, than its total says.
    const inconsistent = await database.pool.oneFirst(sql.type(countRow)`
      select count(*) as count from orders o
      where o.order_ref like 'SHARED-%'
        and o.total_amount <> (select coalesce(sum(oi.subtotal), 0) from order_items oi where oi.order_id = o.id)`);
    expect(inconsistent).toBe(0);
  });

  it('creates each order several files bring at the same moment once, with the lines of one file', async () => {
    // New order refs in every file: each load's chunks find none of them and choose ids of their own.
    // The first to commit wins; the others must notice, and replace its orders on their retry instead
    // of writing lines for ids that never made it into orders (the bulk insert skips the per-row
    // foreign-key checks that would have caught those).
    const paths = await Promise.all(
      [1, 2, 3, 4].map((index) =>
        writeGeneratedFile(join(workDir, `fresh-${index}.csv`), {
          rows: 1_500,
          seed: 7100 + index,
          days: 7,
          customers: 300,
          products: 60,
          orderPrefix: 'FRESH-',
        }),
      ),
    );
    const store = createObjectStore(loadStorageConfig());
    const submitted = await Promise.all(paths.map((path) => submitFile({ client, store, taskQueue }, path)));
    for (const summary of await Promise.all(submitted.map((file) => awaitIngestion(file.handle)))) {
      expect(summary).toMatchObject({ status: 'completed' });
    }
    const { orphanLines, inconsistent } = await database.pool.one(sql.type(integrityRow)`
      select
        (select count(*) from order_items oi where not exists (select 1 from orders o where o.id = oi.order_id)) as "orphanLines",
        (select count(*) from orders o
         where o.order_ref like 'FRESH-%'
           and o.total_amount <> (select coalesce(sum(oi.subtotal), 0) from order_items oi where oi.order_id = o.id)) as inconsistent`);
    expect({ orphanLines, inconsistent }).toEqual({ orphanLines: 0, inconsistent: 0 });
  });
});
