import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities/index.ts';
import { createLogger } from '../../src/logger.ts';
import { IngestSearchAttributes } from '../../src/workflows/ingest-file-contract.ts';
import { ensureBinary } from '../../src/stack/binaries.ts';
import { ensureWorkflowBundle } from '../../src/worker/workflow-bundle.ts';
import { loadCacheDir } from '../../src/config.ts';

const logger = createLogger('warn', { component: 'workflow-test' });

/** The worker's own prebuilt bundle of the current workflow code, built once and cached. */
export async function prebuiltWorkflowBundle(): Promise<{ codePath: string }> {
  return ensureWorkflowBundle({ cacheDir: loadCacheDir(), logger });
}

let quiet = false;

/**
 * Before anything creates the default runtime: the SDK's info lines (every worker state change)
 * and the warnings of the failures a test provokes on purpose would bury jest's report.
 */
export function installQuietTemporalRuntime(): void {
  if (quiet) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  quiet = true;
}

/**
 * A Temporal dev server of its own for one test file, run from the CLI binary the local stack
 * uses: the SDK would otherwise download one. The time-skipping server is a download too, and the
 * workflows have no timers to skip. PipeForge's search attributes are registered, as on the stack.
 */
export async function startWorkflowTestEnv(): Promise<TestWorkflowEnvironment> {
  installQuietTemporalRuntime();
  const path = await ensureBinary('temporal', logger);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: Object.values(IngestSearchAttributes),
    },
  });
}

export type MockWorker = {
  taskQueue: string;
  /** Runs `fn` with the worker polling its own task queue, then shuts the worker down. */
  run<T>(fn: () => Promise<T>): Promise<T>;
};

/** A worker running the real workflow bundle against the given stand-ins for the activities. */
export async function createMockWorker(
  env: TestWorkflowEnvironment,
  workflowBundle: { codePath: string },
  activities: Activities,
): Promise<MockWorker> {
  const taskQueue = `workflow-test-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities,
    // Cancels reach a heartbeating activity at its next heartbeat instead of after the default throttle.
    maxHeartbeatThrottleInterval: '100 milliseconds',
  });
  return { taskQueue, run: (fn) => worker.runUntil(fn) };
}
