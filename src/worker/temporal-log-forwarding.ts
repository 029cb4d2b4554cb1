import { ApplicationFailure, type LogLevel as TemporalLogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/common';
import { InvalidFileError, MissingObjectError, RejectRatioExceededError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { NON_RETRYABLE_INGEST_FAILURE_TYPES } from '../workflows/ingest-file-contract.ts';

const LEVELS: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Runs whose input failure was logged, kept until their workflow's failure line; bounded. */
const MAX_REMEMBERED_RUNS = 1000;

type InputFailure = { failureType: string; reason: string };

/**
 * A file the sender must fix (unreadable, too many rejected rows, gone from the bucket): their
 * data, not a fault of the pipeline, so its stack says nothing a reader can act on.
 */
function inputFailure(error: unknown): InputFailure | undefined {
  if (error instanceof ApplicationFailure && error.type && NON_RETRYABLE_INGEST_FAILURE_TYPES.includes(error.type)) {
    return { failureType: error.type, reason: error.message };
  }
  if (error instanceof InvalidFileError || error instanceof RejectRatioExceededError || error instanceof MissingObjectError) {
    return { failureType: error.name, reason: error.message };
  }
  return undefined;
}

/** By shape: an error that crossed a thread or a vm context is no instance of this realm's Error. */
function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

function runKey(workflowId: unknown, runId: unknown): string {
  return `${String(workflowId)}/${String(runId)}`;
}

/**
 * Temporal's SDK and core logs go through the same pino logger, and so through its redaction.
 * No line carries the activity's task token (an opaque credential for completing the task, of no
 * use to a reader). An input failure is logged once, as a warning without a stack: the SDK's
 * "Activity failed" becomes "input file refused", and the workflow's own "Workflow failed" that
 * follows with the same message (its error crossed a thread and lost its failure type, so the
 * run and message identify it) goes to debug.
 */
export function toTemporalLogger(logger: Logger): TemporalLogger {
  const refusedRuns = new Map<string, string>();
  const remember = (key: string, reason: string) => {
    refusedRuns.set(key, reason);
    for (const oldest of refusedRuns.keys()) {
      if (refusedRuns.size <= MAX_REMEMBERED_RUNS) break;
      refusedRuns.delete(oldest);
    }
  };

  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata) => {
    const { taskToken: _taskToken, error, ...fields } = meta ?? {};
    const input = inputFailure(error);
    if (input) {
      if (message === 'Activity failed') remember(runKey(fields.workflowId, fields.workflowRunId), input.reason);
      const refused = message === 'Activity failed' ? { level: 'warn' as const, message: 'input file refused' } : { level: LEVELS[level], message };
      logger[refused.level]({ ...input, ...fields, source: 'temporal' }, refused.message);
      return;
    }
    const key = runKey(fields.workflowId, fields.runId);
    if (message === 'Workflow failed' && isErrorLike(error) && refusedRuns.get(key) === error.message) {
      refusedRuns.delete(key);
      logger.debug({ ...fields, reason: error.message, source: 'temporal' }, 'workflow failed on its input file');
      return;
    }
    // The SDK passes failures as `error`; pino only serialises `err`, and would print `{}`.
    const withError = isErrorLike(error) ? { ...fields, err: error } : error === undefined ? fields : { ...fields, error };
    logger[LEVELS[level]]({ ...withError, source: 'temporal' }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
