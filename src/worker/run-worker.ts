import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { loadCacheDir, loadMetricsConfig, loadWorkerConfig } from '../config.ts';
import { createDatabasePool } from '../db/pool.ts';
import { sql } from '../db/sql.ts';
import { createLogger } from '../logger.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.ts';
import { createPipelineMetrics } from '../metrics/pipeline-metrics.ts';
import { createParseThreadPool } from '../parse-threads/thread-pool.ts';
import { createObjectStore } from '../storage/object-store.ts';
import { createIngestWorker } from './create-worker.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';
import { ensureWorkflowBundle } from './workflow-bundle.ts';

/**
 * Runs one worker until SIGINT/SIGTERM (the Temporal runtime turns those into a graceful
 * shutdown: running activities finish or time out), then closes the pool and the connection.
 * With PIPEFORGE_METRICS_PORT set it also serves /metrics, /healthz and /readyz.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadWorkerConfig(env);
  const metricsConfig = loadMetricsConfig(env);
  const logger = createLogger(config.logLevel, { component: 'worker' });
  // Core's exporter stays on loopback: it is only read through the merged /metrics endpoint.
  const temporalMetricsAddress = metricsConfig ? `127.0.0.1:${metricsConfig.port + 1}` : undefined;
  // Whatever can fail before the connection to Temporal comes first: the installed runtime keeps
  // the process alive (and deaf to SIGTERM) until that connection closes, so a bad DATABASE_URL
  // or a bundle that does not build would leave a hung process instead of an exit code.
  const workflowBundle = await ensureWorkflowBundle({ cacheDir: loadCacheDir(env), logger });
  const pool = await createDatabasePool(config.database);
  const store = createObjectStore(config.storage);
  installTemporalRuntime(logger, { prometheusBindAddress: temporalMetricsAddress });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const metrics = metricsConfig ? createPipelineMetrics() : undefined;
  const parseThreads = createParseThreadPool(config.pipeline.parseThreads);
  let metricsServer: MetricsServer | undefined;
  try {
    await store.ensureBucket();
    const worker = await createIngestWorker({
      connection,
      temporal: config.temporal,
      workflowBundle,
      pool,
      databaseUrl: config.database.url,
      store,
      pipeline: config.pipeline,
      logger,
      metrics,
      parseThreads,
    });
    if (metricsConfig && metrics) {
      metricsServer = await startMetricsServer({
        ...metricsConfig,
        registry: metrics.registry,
        temporalMetricsUrl: `http://${temporalMetricsAddress}/metrics`,
        readiness: {
          worker: async () => worker.getState() === 'RUNNING',
          database: async () => (await pool.oneFirst(sql.type(z.object({ one: z.number() }))`select 1 as one`)) === 1,
          objectStore: () => store.ping(),
        },
        logger,
      });
    }
    logger.info(
      { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, address: config.temporal.address },
      'worker started',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await metricsServer?.close();
    await parseThreads.close();
    await connection.close();
    await pool.end();
  }
}
