import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.ts';

const LEVELS: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's SDK and core logs go through the same pino logger, and so through its redaction. */
function toTemporalLogger(logger: Logger): TemporalLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata) =>
    logger[LEVELS[level]]({ ...withSerializedErrors(meta), source: 'temporal' }, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/** The SDK passes failures as `error`; pino only serialises `err`, and would print `{}`. */
function withSerializedErrors(meta: LogMetadata | undefined): LogMetadata | undefined {
  if (!meta || !(meta.error instanceof Error)) return meta;
  const { error, ...rest } = meta;
  return { ...rest, err: error };
}

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
