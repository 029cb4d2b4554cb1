import { fileURLToPath, pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.ts';
import { loadWorkerConfig, type TemporalConfig } from './config.ts';
import { createDatabasePool } from './db/pool.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './logger.ts';
import { createObjectStore } from './storage/object-store.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export type IngestWorkerOptions = ActivityDeps & {
  connection: NativeConnection;
  temporal: TemporalConfig;
  /** A prebuilt bundle (tests build one for many workers); by default the workflows are bundled here. */
  workflowBundle?: WorkflowBundleOption;
};

/**
 * The stages are I/O-bound on PostgreSQL and MinIO but parse on this process's CPU; a few
 * concurrent activities keep both busy without starving the event loop on a small machine.
 */
const MAX_CONCURRENT_ACTIVITIES = 4;

export async function createIngestWorker(options: IngestWorkerOptions): Promise<Worker> {
  const { connection, temporal, workflowBundle, ...deps } = options;
  return Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(deps),
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
  });
}

/**
 * Runs one worker until SIGINT/SIGTERM (the Temporal runtime turns those into a graceful
 * shutdown: running activities finish or time out), then closes the pool and the connection.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadWorkerConfig(env);
  const logger = createLogger(config.logLevel, { component: 'worker' });
  installTemporalRuntime(logger);
  const pool = await createDatabasePool(config.database);
  const store = createObjectStore(config.storage);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    await store.ensureBucket();
    const worker = await createIngestWorker({
      connection,
      temporal: config.temporal,
      pool,
      store,
      pipeline: config.pipeline,
      logger,
    });
    logger.info(
      { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, address: config.temporal.address },
      'worker started',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await pool.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWorker().catch((error: unknown) => {
    // Configuration problems are the user's to fix: say what is wrong without a stack trace.
    process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 1;
  });
}
