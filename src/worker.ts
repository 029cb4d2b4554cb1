// First: when this file is the entry, it re-executes itself with its memory settings before any
// other module has run (see the module).
import './worker-memory-settings.ts';
import { pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.ts';
import { sql } from 'slonik';
import { loadMetricsConfig, loadWorkerConfig, type TemporalConfig } from './config.ts';
import { createDatabasePool } from './db/pool.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './logger.ts';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.ts';
import { createPipelineMetrics, type PipelineMetrics } from './metrics/pipeline-metrics.ts';
import { createObjectStore } from './storage/object-store.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';
import { ensureWorkflowBundle } from './workflow-bundle.ts';

export type IngestWorkerOptions = ActivityDeps & {
  connection: NativeConnection;
  temporal: TemporalConfig;
  /**
   * The prebuilt workflow bundle (ensureWorkflowBundle). Required on purpose: the SDK's
   * `workflowsPath` would run webpack inside this process, and its peak would stay in the worker's
   * resident set for good. No fallback either: a bundle that cannot be built in a child process
   * would not build here, and a silent fallback would bring the memory back unnoticed.
   */
  workflowBundle: WorkflowBundleOption;
  /** PipeForge's counters and stage durations; none are recorded without it. */
  metrics?: PipelineMetrics | undefined;
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
    workflowBundle,
    activities: createActivities(deps),
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
    // Heartbeat details (the parse's line reached) feed live progress and deliver cancels; the
    // default throttle (80% of the heartbeat timeout, 16 s) would make both lag that long.
    maxHeartbeatThrottleInterval: '2 seconds',
  });
}

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
  const workflowBundle = await ensureWorkflowBundle(logger);
  const pool = await createDatabasePool(config.database);
  const store = createObjectStore(config.storage);
  installTemporalRuntime(logger, { prometheusBindAddress: temporalMetricsAddress });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const metrics = metricsConfig ? createPipelineMetrics() : undefined;
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
    });
    if (metricsConfig && metrics) {
      metricsServer = await startMetricsServer({
        ...metricsConfig,
        registry: metrics.registry,
        temporalMetricsUrl: `http://${temporalMetricsAddress}/metrics`,
        readiness: {
          worker: async () => worker.getState() === 'RUNNING',
          database: async () => (await pool.oneFirst(sql.unsafe`select 1`)) === 1,
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
