import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.ts';
import { toTemporalLogger } from './temporal-log-forwarding.ts';

let installed = false;

/**
 * Installs the process-wide Temporal runtime once (the SDK allows a single install per process,
 * before any worker or native connection is created). With `prometheusBindAddress`, core exports
 * the worker's metrics (task slots, poll and schedule latencies, activity and workflow outcomes).
 */
export function installTemporalRuntime(logger: Logger, options: { prometheusBindAddress?: string | undefined } = {}): void {
  if (installed) return;
  Runtime.install({
    logger: toTemporalLogger(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.prometheusBindAddress
        ? { metrics: { prometheus: { bindAddress: options.prometheusBindAddress, useSecondsForDurations: true } } }
        : {}),
    },
  });
  installed = true;
}
