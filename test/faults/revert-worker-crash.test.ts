import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { sql } from 'slonik';
import { z } from 'zod';
import { awaitSubmitted, submitFile } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadPipelineConfig, loadStorageConfig, loadTemporalConfig } from '../../src/config.ts';
import { createObjectStore, type ObjectStore } from '../../src/storage/object-store.ts';
import { revertWorkflowId } from '../../src/workflows/revert-file-contract.ts';
import { revertFileWorkflow } from '../../src/workflows/revert-file.ts';
import { pendingActivity } from '../support/pending-activities.ts';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { contractTables, HELD_ON_ALICE, holdCustomerOf, REVERT_PIPELINE, waitsOnLock, writeScenarioFiles } from '../support/revert-scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';
import { killAllWorkerProcesses, startWorkerProcess, type WorkerProcessEnv } from '../support/worker-process.ts';

/**
 * A worker process killed with SIGKILL in the middle of a revert's transaction (its order work
 * done, held on a customer row the test locks): nothing of the attempt stays, the next worker's
 * retry reverts the file once, and the end state is what loading A then C gives.
 */
const TIMEOUT_MS = 120_000;

let workDir: string;
let database: TestDatabase;
let fresh: PipelineHarness;
let client: Client;
let store: ObjectStore;
let taskQueue: string;
let workerEnv: WorkerProcessEnv;
let files: { a: string; b: string; c: string };

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pipeforge-revert-crash-'));
  files = await writeScenarioFiles(workDir);
  [database, fresh] = await Promise.all([createTestDatabase('revertcrash'), startPipelineHarness(REVERT_PIPELINE)]);
  taskQueue = `faults-revert-${randomBytes(4).toString('hex')}`;
  const temporal = { ...loadTemporalConfig(), taskQueue };
  client = await connectClient(temporal);
  const storage = loadStorageConfig();
  store = createObjectStore(storage);
  // B's rejected line is above the default ratio of so small a file.
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MINIO_ENDPOINT: process.env.MINIO_ENDPOINT ?? '',
    MINIO_ACCESS_KEY: storage.accessKey,
    MINIO_SECRET_KEY: storage.secretKey,
    MINIO_BUCKET: storage.bucket,
    PIPEFORGE_EMAIL_HASH_KEY: loadPipelineConfig().emailHashKey,
    PIPEFORGE_MAX_REJECT_RATIO: String(REVERT_PIPELINE.maxRejectRatio),
    LOG_LEVEL: 'info',
  };
  workerEnv = env;
}, TIMEOUT_MS);

afterAll(async () => {
  await killAllWorkerProcesses();
  await client?.connection.close();
  await Promise.all([database?.drop(), fresh?.stop()]);
  await rm(workDir, { recursive: true, force: true });
}, TIMEOUT_MS);

const fileRow = z.object({ status: z.string() });

async function ingest(path: string): Promise<string> {
  const summary = await awaitSubmitted(await submitFile({ client, store, taskQueue }, path));
  expect(summary.status).toBe('completed');
  return summary.fileId;
}

describe('a worker killed in the middle of a revert', () => {
  it('leaves nothing of the attempt, and the retry reverts the file exactly once', async () => {
    const first = await startWorkerProcess(workerEnv);
    await ingest(files.a);
    const b = await ingest(files.b);
    await ingest(files.c);
    await fresh.ingest(files.a);
    await fresh.ingest(files.c);
    const before = await contractTables(database.pool);

    const hold = await holdCustomerOf(database.pool, 'A-1');
    const handle = await client.workflow.start(revertFileWorkflow, {
      taskQueue,
      workflowId: revertWorkflowId(b),
      args: [{ fileId: b, reason: 'crash test' }],
    });
    await waitFor(() => waitsOnLock(database.pool, HELD_ON_ALICE), { what: 'the revert held on alice', timeoutMs: TIMEOUT_MS, intervalMs: 50 });
    await first.kill();
    expect(await pendingActivity(handle, 'revertFile')).toMatchObject({ attempt: 1 });
    hold.release();
    await hold.ended;
    // The dead worker's transaction can only roll back: B is loaded as before.
    await waitFor(async () => ((await waitsOnLock(database.pool, HELD_ON_ALICE)) ? undefined : true), {
      what: 'the dead attempt to end',
      timeoutMs: TIMEOUT_MS,
    });
    expect(await database.pool.one(sql.type(fileRow)`select status from ingestion_files where id = ${b}`)).toEqual({ status: 'completed' });
    expect(await contractTables(database.pool)).toEqual(before);

    await startWorkerProcess(workerEnv);
    const summary = await handle.result();
    expect(summary).toMatchObject({ revertedNow: true, ordersRestored: 2, ordersDeleted: 1, reason: 'crash test' });
    expect(await contractTables(database.pool)).toEqual(await contractTables(fresh.pool));
  }, 3 * TIMEOUT_MS);
});
