import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { sql } from 'slonik';
import { awaitIngestion, type IngestHandle } from '../../src/client/await-ingestion.ts';
import { sha256File } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadPipelineConfig, loadStorageConfig, loadTemporalConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabasePool, type DatabasePool } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { IngestSearchAttributes, ingestWorkflowId } from '../../src/workflows/ingest-file-contract.ts';
import { startLocalStack, type LocalStack } from '../../src/stack/local-stack.ts';
import { uploadKey } from '../../src/storage/object-keys.ts';
import { createObjectStore, type ObjectStore } from '../../src/storage/object-store.ts';
import { createIngestWorker } from '../../src/worker/create-worker.ts';
import { ingestFileWorkflow } from '../../src/workflows/ingest-file.ts';
import { canonicalDump } from '../support/canonical-dump.ts';
import { writeGeneratedFile } from '../support/generated-file.ts';
import { pendingActivity, type PendingActivity } from '../support/pending-activities.ts';
import { startPipelineHarness } from '../support/pipeline-harness.ts';
import { requireTestEnv, TEST_ENV_KEYS } from '../support/test-env.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Servers going away under a running ingestion: MinIO stopped while the file is being hashed, and
 * PostgreSQL restarted in the middle of the load. This file runs a dedicated local stack of its
 * own, since stopping the shared one would break every other test. The activities' retry policy
 * (1 s, doubling, at most a minute apart, 30 attempts) carries the file through both outages.
 */
const ROWS = 20_000;
const TIMEOUT_MS = 120_000;
const logger = createLogger('warn', { test: 'server-outage' });

let dataDir: string;
let stack: LocalStack;
let workerPool: DatabasePool;
let testPool: DatabasePool;
let store: ObjectStore;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let client: Client;
let taskQueue: string;
let csvPath: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pipeforge-outage-'));
  const stackStartedAt = Date.now();
  stack = await startLocalStack({ dataDir, logger });
  timings.stackStartMs = Date.now() - stackStartedAt;
  testPool = await createDatabasePool({ url: stack.env.DATABASE_URL, poolSize: 2 });
  await migrate(testPool, logger);
  workerPool = await createDatabasePool({ url: stack.env.DATABASE_URL, poolSize: 4 });
  store = createObjectStore(loadStorageConfig(stack.env));
  await store.ensureBucket();
  taskQueue = `faults-outage-${randomBytes(4).toString('hex')}`;
  const temporal = { ...loadTemporalConfig(stack.env), taskQueue };
  connection = await NativeConnection.connect({ address: temporal.address });
  worker = await createIngestWorker({
    connection,
    temporal,
    pool: workerPool,
    databaseUrl: stack.env.DATABASE_URL,
    store,
    // The shared stack's hashing key, so that the reference run there hashes emails alike.
    pipeline: loadPipelineConfig(),
    logger,
    workflowBundle: { codePath: requireTestEnv(TEST_ENV_KEYS.workflowBundle) },
  });
  running = worker.run();
  client = await connectClient(temporal);
  csvPath = await writeGeneratedFile(join(dataDir, 'outage-orders.csv'), { rows: ROWS, seed: 777, days: 30 });
}, TIMEOUT_MS);

afterAll(async () => {
  // Servers first back up, or the worker's shutdown would wait on connections that cannot close.
  await stack?.servers.postgres.start();
  await stack?.servers.minio.start();
  worker?.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
  await workerPool?.end();
  await testPool?.end();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.stderr.write(`server-outage timings (ms): ${JSON.stringify(timings)}\n`);
}, TIMEOUT_MS);

/** Waits until the activity has failed at least `attempts - 1` times and returns what the server says of it. */
async function waitForFailedAttempts(handle: IngestHandle, type: string, attempts: number): Promise<PendingActivity> {
  return waitFor(
    async () => {
      const activity = await pendingActivity(handle, type);
      return activity && activity.attempt >= attempts && activity.lastFailure !== null ? activity : undefined;
    },
    { what: `${attempts - 1} failed attempts of ${type}`, timeoutMs: TIMEOUT_MS, intervalMs: 200 },
  );
}

describe('servers that go away while a file is ingested', () => {
  let handle: IngestHandle;

  it('MinIO stopped during hash-dedupe: the stage fails three times, retries with backoff, carries on once MinIO is back', async () => {
    const contentHash = await sha256File(csvPath);
    const filename = basename(csvPath);
    const objectKey = uploadKey(contentHash, filename);
    await store.uploadFile(objectKey, csvPath);
    await stack.servers.minio.stop();
    expect(stack.servers.minio.running).toBe(false);
    const startedAt = Date.now();
    handle = await client.workflow.start(ingestFileWorkflow, {
      taskQueue,
      workflowId: ingestWorkflowId(contentHash),
      args: [{ objectKey, filename, contentHash }],
      typedSearchAttributes: [{ key: IngestSearchAttributes.filename, value: filename }],
    });

    const failing = await waitForFailedAttempts(handle, 'hashAndClaim', 4);
    timings.minioDownBeforeRestartMs = Date.now() - startedAt;
    expect(failing.lastFailure).toMatch(/ECONNREFUSED|connect|socket/i);
    await stack.servers.minio.start();
    timings.minioRestartedAt = Date.now() - startedAt;
    await waitFor(async () => ((await pendingActivity(handle, 'hashAndClaim')) === undefined ? true : undefined), {
      what: 'hash-dedupe to finish',
      timeoutMs: TIMEOUT_MS,
    });
    timings.hashDoneAt = Date.now() - startedAt;
  });

  it('PostgreSQL stopped in the middle of the load and started after three failed retries: the file completes', async () => {
    const startedAt = Date.now();
    // A worker backend holding a transaction id while the load is pending: the load has written.
    await waitFor(
      async () => {
        const load = await pendingActivity(handle, 'loadFromStaging');
        if (!load?.started) return undefined;
        const writing = await testPool.exists(sql.unsafe`
          select 1 from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null`);
        return writing ? true : undefined;
      },
      { what: 'the load in progress', timeoutMs: TIMEOUT_MS, intervalMs: 100 },
    );
    await stack.servers.postgres.stop();
    timings.postgresStoppedAt = Date.now() - startedAt;
    const failing = await waitForFailedAttempts(handle, 'loadFromStaging', 4);
    timings.postgresDownMs = Date.now() - startedAt - timings.postgresStoppedAt;
    expect(failing.lastFailure).toMatch(/ECONNREFUSED|connect|terminat/i);
    await stack.servers.postgres.start();
    timings.postgresRestartedAt = Date.now() - startedAt;

    const summary = await awaitIngestion(handle);
    timings.completedAt = Date.now() - startedAt;
    expect(summary).toMatchObject({ status: 'completed', rowsRead: ROWS, rowsLoaded: ROWS, rowsRejected: 0 });
  });

  it('ends with nothing lost or doubled: the same state as an uninterrupted run', async () => {
    const afterOutages = await canonicalDump(testPool);
    expect(afterOutages.tables.orderItems.rows).toBe(ROWS);
    expect(afterOutages.tables.files.rows).toBe(1);
    expect(afterOutages.stagedRows).toBe(0);
    const harness = await startPipelineHarness();
    try {
      expect(await harness.ingest(csvPath)).toMatchObject({ status: 'completed', rowsLoaded: ROWS });
      expect(afterOutages).toEqual(await canonicalDump(harness.pool));
    } finally {
      await harness.stop();
    }
  });
});
