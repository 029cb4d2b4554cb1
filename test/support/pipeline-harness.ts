import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { awaitSubmitted, submitFile } from '../../src/client/submit-file.ts';
import { connectClient } from '../../src/client/temporal-client.ts';
import { loadPipelineConfig, loadStorageConfig, loadTemporalConfig, type PipelineConfig } from '../../src/config.ts';
import { createDatabasePool, type DatabasePool } from '../../src/db/pool.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { IngestSummary } from '../../src/workflows/ingest-file-contract.ts';
import { createDatabase, dropDatabase } from '../../src/stack/databases.ts';
import { createObjectStore, type ObjectStore } from '../../src/storage/object-store.ts';
import { createIngestWorker } from '../../src/worker/create-worker.ts';
import { requireTestEnv, TEMPLATE_DATABASE, TEST_ENV_KEYS } from './test-env.ts';

export type PipelineHarness = {
  pool: DatabasePool;
  store: ObjectStore;
  client: Client;
  taskQueue: string;
  pipeline: PipelineConfig;
  /** This harness's own database, e.g. for running the CLI against it. */
  databaseUrl: string;
  /** Uploads a local file, runs its workflow on this harness's worker and returns the summary. */
  ingest(path: string, filename?: string): Promise<IngestSummary & { workflowId: string; objectKey: string }>;
  stop(): Promise<void>;
};

export type HarnessOptions = {
  /** The worker's activity logger; by default warnings and worse go to stdout. */
  logger?: Logger;
};

/**
 * A worker of its own for one test file: its own database cloned from the migrated template and
 * its own task queue, against the real Temporal dev server, MinIO and PostgreSQL.
 */
export async function startPipelineHarness(
  overrides: Partial<PipelineConfig> = {},
  options: HarnessOptions = {},
): Promise<PipelineHarness> {
  const suffix = randomBytes(4).toString('hex');
  const adminUrl = requireTestEnv(TEST_ENV_KEYS.adminDatabaseUrl);
  const databaseName = `test_${suffix}`;
  await createDatabase(adminUrl, databaseName, TEMPLATE_DATABASE);
  const databaseUrl = new URL(requireTestEnv('DATABASE_URL'));
  databaseUrl.pathname = `/${databaseName}`;

  const logger = options.logger ?? createLogger('warn', { component: 'test-worker' });
  const pipeline = { ...loadPipelineConfig(), ...overrides };
  const temporal = { ...loadTemporalConfig(), taskQueue: `test-${suffix}` };
  const pool = await createDatabasePool({ url: databaseUrl.toString(), poolSize: 4 });
  const store = createObjectStore(loadStorageConfig());
  await store.ensureBucket();
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker: Worker = await createIngestWorker({
    connection,
    temporal,
    pool,
    databaseUrl: databaseUrl.toString(),
    store,
    pipeline,
    logger,
    workflowBundle: { codePath: requireTestEnv(TEST_ENV_KEYS.workflowBundle) },
  });
  const running = worker.run();
  const client = await connectClient(temporal);

  return {
    pool,
    store,
    client,
    taskQueue: temporal.taskQueue,
    pipeline,
    databaseUrl: databaseUrl.toString(),
    async ingest(path, filename) {
      const submitted = await submitFile({ client, store, taskQueue: temporal.taskQueue }, path, filename);
      return {
        ...(await awaitSubmitted(submitted)),
        workflowId: submitted.workflowId,
        objectKey: submitted.objectKey,
      };
    },
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
      await pool.end();
      await dropDatabase(adminUrl, databaseName);
    },
  };
}
