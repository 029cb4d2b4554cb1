import { activityContextLogger } from '../metrics/activity-logger.ts';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.ts';
import { createParseThreadPool, type ParseThreadPool } from '../parse-threads/thread-pool.ts';
import { createAggregateDays } from './aggregate-days.ts';
import type { ActivityDeps, ParseDeps } from './deps.ts';
import { createDiscardIngestion } from './discard-ingestion.ts';
import { createFinishParse } from './finish-parse.ts';
import { createHashAndClaim } from './hash-and-claim.ts';
import { createLoadFromStaging } from './load-from-staging.ts';
import { createParseRange } from './parse-range.ts';
import { createParseToStaging } from './parse-to-staging.ts';
import { createRecordOutcome } from './record-outcome.ts';
import { createRevertFile } from './revert-file.ts';
import { reportCancellation } from './stop-on-cancel.ts';

export type { ActivityDeps };

/** Every activity the worker registers; workflows import this module's type only. */
export function createActivities(
  deps: ActivityDeps & { metrics?: PipelineMetrics | undefined; parseThreads?: ParseThreadPool | undefined },
) {
  const { metrics, parseThreads, ...rest } = deps;
  const withContext: ActivityDeps = { ...rest, logger: activityContextLogger(rest.logger) };
  // The stages a cancel may interrupt: their parse threads stop after the COPY in flight
  // (parse-on-thread.ts), and they report themselves cancelled.
  const cancellable: ParseDeps = {
    ...withContext,
    // Without a pool of the caller's, one of its own: its threads end when idle.
    parseThreads: parseThreads ?? createParseThreadPool(rest.pipeline.parseThreads),
  };
  const outcome = createRecordOutcome(withContext);
  const timed = timer(metrics);
  const hashAndClaim = createHashAndClaim(withContext);
  const parseToStaging = reportCancellation(createParseToStaging(cancellable));
  const parseRange = reportCancellation(createParseRange(cancellable));
  const finishParse = reportCancellation(createFinishParse(cancellable));
  const loadFromStaging = reportCancellation(createLoadFromStaging(cancellable));
  const aggregateDays = createAggregateDays(withContext);
  const discardCancelledIngestion = createDiscardIngestion(withContext);
  const revertFile = createRevertFile(withContext);
  return {
    hashAndClaim: timed('hash-dedupe', hashAndClaim, (claim) => {
      if (claim.duplicateOf !== null) metrics?.files.inc({ status: 'duplicate' });
    }),
    parseToStaging: timed('parse', parseToStaging, (parsed) => {
      metrics?.rowsRead.inc(parsed.rowsRead);
      metrics?.rowsRejected.inc(parsed.rowsRejected);
    }),
    // A file parsed in parts: each part's rows are read once, its rejects counted once, at the end.
    parseRange: timed('parse', parseRange, (parsed) => metrics?.rowsRead.inc(parsed.rowsRead)),
    finishParse: timed('parse', finishParse, (parsed) => metrics?.rowsRejected.inc(parsed.rowsRejected)),
    loadFromStaging: timed('load', loadFromStaging, (loaded) => {
      // A retry that finds the load finished applied nothing: counting its rows would count them twice.
      if (!loaded.alreadyLoaded) metrics?.rowsLoaded.inc(loaded.rowsLoaded);
    }),
    aggregateDays: timed('aggregate', aggregateDays),
    markFileCompleted: timed('record-outcome', outcome.markFileCompleted, () => metrics?.files.inc({ status: 'completed' })),
    markFileFailed: timed('record-outcome', outcome.markFileFailed, () => metrics?.files.inc({ status: 'failed' })),
    discardCancelledIngestion: timed('cancel', discardCancelledIngestion, (result) => {
      if (result.discarded) metrics?.files.inc({ status: 'cancelled' });
    }),
    revertFile: timed('revert', revertFile),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Times every attempt of an activity into the stage-duration histogram and counts its result. */
function timer(metrics: PipelineMetrics | undefined) {
  return <A extends unknown[], R>(stage: string, fn: (...args: A) => Promise<R>, count?: (result: R) => void) => {
    return async (...args: A): Promise<R> => {
      const end = metrics?.stageDuration.startTimer({ stage });
      try {
        const result = await fn(...args);
        end?.({ outcome: 'ok' });
        count?.(result);
        return result;
      } catch (error) {
        end?.({ outcome: 'error' });
        throw error;
      }
    };
  };
}
