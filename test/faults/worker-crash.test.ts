import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { awaitIngestion } from '../../src/client/await-ingestion.ts';
import { submitFile, type SubmittedFile } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadPipelineConfig, loadStorageConfig, loadTemporalConfig } from '../../src/config.ts';
import { readAffectedDates } from '../../src/db/file-work-rows.ts';
import { loadStagedFile } from '../../src/db/load-staged-file.ts';
import { createObjectStore } from '../../src/storage/object-store.ts';
import { canonicalDump } from '../support/canonical-dump.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { pendingActivity } from '../support/pending-activities.ts';
import { startPipelineHarness } from '../support/pipeline-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  killAllWorkerProcesses,
  startWorkerProcess,
  type WorkerProcess,
  type WorkerProcessEnv,
} from '../support/worker-process.ts';

/**
 * Real worker processes (`node src/worker.ts`) killed with SIGKILL in the middle of parse, of
 * load and of aggregate, one after the other on the same file: each time a new worker process
 * picks the activity up once the 20 s heartbeat timeout has passed, and the file ends in exactly
 * the state an uninterrupted run gives.
 *
 * Sized so each stage lasts long enough to be caught in the middle, and no longer: on this loaded
 * 2-core machine 50,000 lines over 90 days took ~10 s to parse, ~5 s to load and ~3 s to
 * aggregate. Half of that still gives parse five heartbeated batches; load and aggregate are
 * watched through the database every 20 ms, which catches even a sub-second stage. The three
 * 20 s heartbeat timeouts are most of the test's time.
 */
const ROWS = 25_000;
/** Many days make many short aggregate chunks (7 days each), so the kill can land between two. */
const DAYS = 360;
const STAGE_TIMEOUT_MS = 120_000;

const rowCount = z.object({ count: z.number() });

let workDir: string;
let csvPath: string;
let database: TestDatabase;
let client: Client;
let workerEnv: WorkerProcessEnv;
let submitted: SubmittedFile;
const workers: WorkerProcess[] = [];
const timings: Record<string, number> = {};
let startedAt = Date.now();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-faults-'));
  // A seed of its own: the workflow id derives from the content, so no other test shares it.
  csvPath = await writeGeneratedFile(join(workDir, 'crash-orders.csv'), { rows: ROWS, seed: 4242, days: DAYS });
  database = await createTestDatabase('crash');
  const taskQueue = `faults-crash-${randomBytes(4).toString('hex')}`;
  const temporal = { ...loadTemporalConfig(), taskQueue };
  client = await connectClient(temporal);
  const storage = loadStorageConfig();
  workerEnv = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MINIO_ENDPOINT: process.env.MINIO_ENDPOINT ?? '',
    MINIO_ACCESS_KEY: storage.accessKey,
    MINIO_SECRET_KEY: storage.secretKey,
    MINIO_BUCKET: storage.bucket,
    PIPEFORGE_EMAIL_HASH_KEY: loadPipelineConfig().emailHashKey,
    LOG_LEVEL: 'info',
  };
  workers.push(await startWorkerProcess(workerEnv));
  const store = createObjectStore(storage);
  submitted = await submitFile({ client, store, taskQueue }, csvPath);
});

afterAll(async () => {
  await killAllWorkerProcesses();
  await client?.connection.close();
  await database?.drop();
  await rm(workDir, { recursive: true, force: true });
  process.stderr.write(`worker-crash timings (ms): ${JSON.stringify(timings)}\n`);
});

const currentWorker = (): WorkerProcess => {
  const worker = workers.at(-1);
  if (!worker) throw new Error('no worker process');
  return worker;
};

/**
 * SIGKILL the running worker, check the state it left (before any other worker can touch it), and
 * start its replacement, which bundles its workflows while the server waits out the heartbeat timeout.
 */
async function killAndReplace(stage: string, checkLeftState: () => Promise<void>): Promise<WorkerProcess> {
  const killedAt = Date.now();
  await currentWorker().kill();
  timings[`${stage}KilledAt`] = killedAt - startedAt;
  await checkLeftState();
  const replacement = await startWorkerProcess(workerEnv);
  workers.push(replacement);
  return replacement;
}

/** Waits until the activity is running its first attempt and `inTheMiddle` holds. */
async function waitForFirstAttempt(type: string, inTheMiddle: () => Promise<boolean>): Promise<void> {
  await waitFor(
    async () => {
      const activity = await pendingActivity(submitted.handle, type);
      if (activity && activity.attempt > 1) throw new Error(`${type} failed before the kill: ${activity.lastFailure}`);
      return activity?.started && (await inTheMiddle()) ? true : undefined;
    },
    { what: `${type} in progress`, timeoutMs: STAGE_TIMEOUT_MS, intervalMs: 100 },
  );
}

/**
 * Polls only the database, every 20 ms, for stages that may take well under a second on a fast
 * machine; the kill's callers then check with the server that the activity was still running.
 */
async function waitForDatabase(what: string, condition: () => Promise<boolean>): Promise<void> {
  await waitFor(async () => ((await condition()) ? true : undefined), {
    what,
    timeoutMs: STAGE_TIMEOUT_MS,
    intervalMs: 20,
  });
}

async function expectFirstAttemptPending(type: string): Promise<void> {
  // Still pending at attempt 1: the dead worker never reported it done, so the kill landed mid-stage.
  expect(await pendingActivity(submitted.handle, type)).toMatchObject({ type, attempt: 1 });
}

/** Waits until the server has handed the activity's retry to a live worker. */
async function waitForRetry(type: string): Promise<void> {
  await waitFor(
    async () => {
      const activity = await pendingActivity(submitted.handle, type);
      // Gone from the pending list means the retry already completed.
      return activity === undefined || (activity.attempt > 1 && activity.started) ? true : undefined;
    },
    { what: `the retry of ${type}`, timeoutMs: STAGE_TIMEOUT_MS, intervalMs: 250 },
  );
}

describe('a worker process killed with SIGKILL in the middle of each stage', () => {
  let fileId: string;

  it('in parse: the next worker resumes after the last written line', async () => {
    startedAt = Date.now();
    await waitForFirstAttempt('parseToStaging', async () => {
      const activity = await pendingActivity(submitted.handle, 'parseToStaging');
      return activity?.hasHeartbeatDetails ?? false;
    });
    const file = await database.pool.one(sql.type(z.object({ id: z.string() }))`
      select id from ingestion_files where content_hash = ${submitted.contentHash}`);
    fileId = file.id;
    let lastStagedLine = 0;
    const next = await killAndReplace('parse', async () => {
      const staged = await database.pool.one(sql.type(z.object({ count: z.number(), lastLine: z.number().nullable() }))`
        select count(*) as count, max(line_number) as "lastLine"
        from staging_order_lines where ingestion_file_id = ${fileId}`);
      timings.stagedAtParseKill = staged.count;
      expect(staged.count).toBeGreaterThan(0);
      expect(staged.count).toBeLessThan(ROWS);
      lastStagedLine = staged.lastLine ?? 0;
    });

    const resumed = await next.waitForLog((line) => line.msg === 'resuming parse after the last written line', STAGE_TIMEOUT_MS);
    timings.parseResumedAt = Date.now() - startedAt;
    timings.resumeAfter = Number(resumed.resumeAfter);
    expect(resumed.resumeAfter).toEqual(expect.any(Number));
    expect(resumed.resumeAfter).toBeGreaterThan(0);
    // Never past what was written: skipping an unwritten line would lose it.
    expect(resumed.resumeAfter).toBeLessThanOrEqual(lastStagedLine);
    expect(resumed.fileId).toBe(fileId);
    const parsed = await next.waitForLog((line) => line.msg === 'parsed file', STAGE_TIMEOUT_MS);
    expect(parsed).toMatchObject({ rowsRead: ROWS, stagedRows: ROWS, rejectedRows: 0 });
  });

  it('in load: the chunk in flight rolls back and the retry loads the file once', async () => {
    // Parsing is over (its last log line was seen), so a worker backend in a transaction that has
    // got as far as writing the base tables can only be the load, half-way through.
    await waitForDatabase('the load writing the base tables', () =>
      database.pool.exists(sql.unsafe`
        select 1 from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null
          and query ~* 'insert into (customers|products|orders|order_items)'`),
    );
    await killAndReplace('load', async () => {
      await expectFirstAttemptPending('loadFromStaging');
      const loadedAt = await database.pool.oneFirst(sql.type(z.object({ loadedAt: z.string().nullable() }))`
        select loaded_at as "loadedAt" from ingestion_files where id = ${fileId}`);
      expect(loadedAt).toBeNull();
    });
    await waitForRetry('loadFromStaging');
    const loaded = await currentWorker().waitForLog((line) => line.msg === 'loaded file', STAGE_TIMEOUT_MS);
    timings.loadRetriedAt = Date.now() - startedAt;
    expect(loaded).toMatchObject({ fileId, rowsLoaded: ROWS });
  });

  it('in aggregate: the retry finishes the days and the file completes', async () => {
    // The first chunk of days committed: the aggregate stage is under way.
    await waitForDatabase('the first aggregated days', async () => (await countAggregateRows()) > 0);
    await killAndReplace('aggregate', async () => {
      timings.aggregateRowsAtKill = await countAggregateRows();
      await expectFirstAttemptPending('aggregateDays');
    });
    await waitForRetry('aggregateDays');
    const summary = await awaitIngestion(submitted.handle);
    timings.completedAt = Date.now() - startedAt;
    expect(summary).toMatchObject({ status: 'completed', rowsRead: ROWS, rowsLoaded: ROWS, rowsRejected: 0, fileId });
    expect(summary.aggregatedDays).toBeGreaterThan(DAYS - 10);
    timings.aggregateRowsAtEnd = await countAggregateRows();
  });

  it('ends in exactly the state of an uninterrupted run of the same file', async () => {
    const crashed = await canonicalDump(database.pool);
    expect(crashed.tables.orderItems.rows).toBe(ROWS);
    expect(crashed.tables.files.rows).toBe(1);
    expect(crashed.stagedRows).toBe(0);

    // Sequential with the crashed run: both executions share the content-derived workflow id.
    const uninterruptedAt = Date.now();
    const harness = await startPipelineHarness();
    try {
      const summary = await harness.ingest(csvPath);
      expect(summary).toMatchObject({ status: 'completed', rowsLoaded: ROWS });
      timings.uninterruptedMs = Date.now() - uninterruptedAt;
      expect(crashed).toEqual(await canonicalDump(harness.pool));
    } finally {
      await harness.stop();
    }
  });

  it('a load retried after its commit is a no-op that returns the recorded result', async () => {
    const before = await canonicalDump(database.pool);
    const again = await loadStagedFile(database.pool, fileId, loadPipelineConfig().businessTimeZone);
    expect(again.rowsLoaded).toBe(ROWS);
    expect((await readAffectedDates(database.pool, fileId)).length).toBeGreaterThan(DAYS - 10);
    expect(await canonicalDump(database.pool)).toEqual(before);
  });
});

async function countAggregateRows(): Promise<number> {
  return database.pool.oneFirst(sql.type(rowCount)`select count(*) as count from sales_aggregates_daily`);
}

