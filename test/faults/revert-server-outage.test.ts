import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { awaitSubmitted, submitFile } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadPipelineConfig, loadStorageConfig, loadTemporalConfig } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDatabasePool, type DatabasePool } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { startLocalStack, type LocalStack } from '../../src/stack/local-stack.ts';
import { createObjectStore, type ObjectStore } from '../../src/storage/object-store.ts';
import { createIngestWorker } from '../../src/worker/create-worker.ts';
import { revertWorkflowId } from '../../src/workflows/revert-file-contract.ts';
import { revertFileWorkflow } from '../../src/workflows/revert-file.ts';
import { pendingActivity } from '../support/pending-activities.ts';
import { startPipelineHarness } from '../support/pipeline-harness.ts';
import { contractTables, HELD_ON_ALICE, holdCustomerOf, REVERT_PIPELINE, waitsOnLock, writeScenarioFiles } from '../support/revert-scenario.ts';
import { requireTestEnv, TEST_ENV_KEYS } from '../support/test-env.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * PostgreSQL stopped in the middle of a revert's transaction and started again after a few failed
 * attempts: the activity's retries carry the revert through, and the end state is what loading A
 * then C gives. A stack of its own, since stopping the shared one would break every other test.
 */
const TIMEOUT_MS = 120_000;
const logger = createLogger('warn', { test: 'revert-server-outage' });

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
let files: { a: string; b: string; c: string };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pipeforge-revert-outage-'));
  stack = await startLocalStack({ dataDir, logger });
  testPool = await createDatabasePool({ url: stack.env.DATABASE_URL, poolSize: 2 });
  await migrate(testPool, logger);
  workerPool = await createDatabasePool({ url: stack.env.DATABASE_URL, poolSize: 4 });
  store = createObjectStore(loadStorageConfig(stack.env));
  await store.ensureBucket();
  taskQueue = `faults-revert-outage-${randomBytes(4).toString('hex')}`;
  const temporal = { ...loadTemporalConfig(stack.env), taskQueue };
  connection = await NativeConnection.connect({ address: temporal.address });
  worker = await createIngestWorker({
    connection,
    temporal,
    pool: workerPool,
    databaseUrl: stack.env.DATABASE_URL,
    store,
    // The shared stack's hashing key, so that the reference database there hashes emails alike.
    pipeline: { ...loadPipelineConfig(), ...REVERT_PIPELINE },
    logger,
    workflowBundle: { codePath: requireTestEnv(TEST_ENV_KEYS.workflowBundle) },
  });
  running = worker.run();
  client = await connectClient(temporal);
  files = await writeScenarioFiles(dataDir);
}, TIMEOUT_MS);

afterAll(async () => {
  await stack?.servers.postgres.start();
  worker?.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
  await workerPool?.end();
  await testPool?.end();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, TIMEOUT_MS);

async function ingest(path: string): Promise<string> {
  const summary = await awaitSubmitted(await submitFile({ client, store, taskQueue }, path));
  expect(summary.status).toBe('completed');
  return summary.fileId;
}

describe('PostgreSQL restarted under a revert', () => {
  it('the revert is retried until the server is back, and reverts the file exactly', async () => {
    await ingest(files.a);
    const b = await ingest(files.b);
    await ingest(files.c);

    const hold = await holdCustomerOf(testPool, 'A-1');
    // The stop ends the holding transaction with an error; that is the point.
    const holdEnded = hold.ended.catch(() => undefined);
    const handle = await client.workflow.start(revertFileWorkflow, {
      taskQueue,
      workflowId: revertWorkflowId(b),
      args: [{ fileId: b, reason: 'outage test' }],
    });
    await waitFor(() => waitsOnLock(testPool, HELD_ON_ALICE), { what: 'the revert held on alice', timeoutMs: TIMEOUT_MS, intervalMs: 50 });
    await stack.servers.postgres.stop();
    await holdEnded;
    const failing = await waitFor(
      async () => {
        const activity = await pendingActivity(handle, 'revertFile');
        return activity && activity.attempt >= 3 && activity.lastFailure !== null ? activity : undefined;
      },
      { what: 'two failed attempts of the revert', timeoutMs: TIMEOUT_MS, intervalMs: 200 },
    );
    expect(failing.lastFailure).toMatch(/ECONNREFUSED|connect|terminat/i);
    await stack.servers.postgres.start();
    hold.release();

    const summary = await handle.result();
    expect(summary).toMatchObject({ revertedNow: true, ordersRestored: 2, ordersDeleted: 1 });

    const reference = await startPipelineHarness(REVERT_PIPELINE);
    try {
      await reference.ingest(files.a);
      await reference.ingest(files.c);
      expect(await contractTables(testPool)).toEqual(await contractTables(reference.pool));
    } finally {
      await reference.stop();
    }
  }, 3 * TIMEOUT_MS);
});
