import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.ts';
import { loadTemporalConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { PipelineHarness } from './pipeline-harness.ts';
import { requireTestEnv, TEST_ENV_KEYS } from './test-env.ts';

export type GatedWorker = {
  taskQueue: string;
  /**
   * Makes the next file's `stage` do its real work and then wait, heartbeating, for a cancel;
   * resolves once it waits. A stage called again for the same file (a load re-read after the
   * cancel) runs straight through.
   */
  gate(stage: 'parse' | 'load'): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A worker with the real activities on a task queue of its own, against the harness's database
 * and bucket, whose gated stage holds still until cancelled: a cancel then lands at a known
 * point, before the load or after its commit.
 */
export async function startGatedWorker(harness: PipelineHarness): Promise<GatedWorker> {
  const temporal = loadTemporalConfig();
  const taskQueue = `gated-${randomBytes(4).toString('hex')}`;
  const logger = createLogger('warn', { component: 'gated-worker' });
  const real = createActivities({ pool: harness.pool, databaseUrl: harness.databaseUrl, store: harness.store, pipeline: harness.pipeline, logger });

  let pending: { stage: 'parse' | 'load'; reach: () => void } | undefined;
  const held = new Set<string>();
  const holdOnce = async (stage: 'parse' | 'load', fileId: string): Promise<void> => {
    if (pending?.stage !== stage || held.has(fileId)) return;
    held.add(fileId);
    pending.reach();
    pending = undefined;
    const context = Context.current();
    for (;;) {
      context.heartbeat();
      await context.sleep(200); // rejects with CancelledFailure once the cancel arrives
    }
  };

  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: { codePath: requireTestEnv(TEST_ENV_KEYS.workflowBundle) },
    maxHeartbeatThrottleInterval: '200 milliseconds',
    activities: {
      ...real,
      async parseToStaging(input: Parameters<typeof real.parseToStaging>[0]) {
        const result = await real.parseToStaging(input);
        await holdOnce('parse', input.fileId);
        return result;
      },
      async loadFromStaging(input: Parameters<typeof real.loadFromStaging>[0]) {
        const result = await real.loadFromStaging(input);
        await holdOnce('load', input.fileId);
        return result;
      },
    },
  });
  const running = worker.run();

  return {
    taskQueue,
    gate(stage) {
      return new Promise<void>((reach) => {
        pending = { stage, reach };
      });
    },
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
