import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import type { TemporalConfig } from '../config.ts';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.ts';
import type { ParseThreadPool } from '../parse-threads/thread-pool.ts';

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
  /** The threads the parse reads on; without it the activities make a pool of their own. */
  parseThreads?: ParseThreadPool | undefined;
};

/**
 * The stages are I/O-bound on PostgreSQL and MinIO but parse on this process's CPU (its parse
 * threads, parse-threads/); a few concurrent activities keep both busy on a small machine, and a
 * parse activity beyond the threads' number waits for one, heartbeating.
 */
const MAX_CONCURRENT_ACTIVITIES = 4;

/** A worker of PipeForge's workflows and activities on an open connection; the caller runs it. */
export async function createIngestWorker(options: IngestWorkerOptions): Promise<Worker> {
  const { connection, temporal, workflowBundle, ...deps } = options;
  return Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle,
    activities: createActivities(deps),
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
    // Eager dispatch would hand the activities a workflow task schedules (a file's parse parts) to
    // the worker that completed it before any other could poll; off, they go through the task
    // queue. Which polling worker gets each is still the server's choice (BENCHMARKS.md).
    maxEagerActivityReservationsPerWorkflowTask: 0,
    // Heartbeat details (the parse's line reached) feed live progress and deliver cancels; the
    // default throttle (80% of the heartbeat timeout, 16 s) would make both lag that long.
    maxHeartbeatThrottleInterval: '2 seconds',
  });
}
