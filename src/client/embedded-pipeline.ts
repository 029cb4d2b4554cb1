import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadCacheDir, loadWorkerConfig, type WorkerConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createDatabasePool, type DatabasePool } from '../db/pool.ts';
import { componentLogger, type Logger } from '../logger.ts';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../stack/local-stack.ts';
import { createObjectStore, type ObjectStore } from '../storage/object-store.ts';
import { createIngestWorker } from '../worker/create-worker.ts';
import { installTemporalRuntime } from '../worker/temporal-runtime.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';

export type EmbeddedPipeline = {
  stack: LocalStack;
  config: WorkerConfig;
  pool: DatabasePool;
  store: ObjectStore;
  worker: Worker;
  /** Closes the worker's resources and stops the servers; call after the worker has stopped. */
  close(): Promise<void>;
};

/**
 * The local stack with a migrated database and a worker connected to it: what `pipeforge dev` and
 * `npm run demo` run. The stack's variables win over the caller's environment, so a DATABASE_URL
 * set for another server cannot make the demo write there.
 */
export async function startEmbeddedPipeline(options: LocalStackOptions): Promise<EmbeddedPipeline> {
  // One terminal shows the servers, the worker and the command: each line says which it is from.
  const stackLogger = componentLogger(options.logger, 'stack');
  const logger = componentLogger(options.logger, 'worker');
  const stack = await startLocalStack({ ...options, logger: stackLogger });
  const closers: Array<() => Promise<void>> = [() => stack.stop()];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const env = { ...process.env, ...stack.env };
    const config = loadWorkerConfig(env);
    installTemporalRuntime(logger);
    const pool = await createDatabasePool(config.database);
    closers.push(() => pool.end());
    await migrate(pool, stackLogger);
    const store = createObjectStore(config.storage);
    await store.ensureBucket();
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    closers.push(() => connection.close());
    const worker = await createIngestWorker({
      connection,
      temporal: config.temporal,
      workflowBundle: await ensureWorkflowBundle({ cacheDir: loadCacheDir(env), logger }),
      pool,
      databaseUrl: config.database.url,
      store,
      pipeline: config.pipeline,
      logger,
    });
    return { stack, config, pool, store, worker, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export type { Logger };
