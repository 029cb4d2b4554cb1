import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { rejectsReportKey } from '../storage/object-keys.ts';
import { activitySummaries as summaries, ingestDetails, type IngestDetailsState } from './ingest-details.ts';
import {
  IngestFailureTypes,
  ingestProgressQuery,
  IngestSearchAttributes,
  NON_RETRYABLE_INGEST_FAILURE_TYPES,
  type IngestFileInput,
  type IngestProgress,
  type IngestStatus,
  type IngestSummary,
} from './ingest-file-contract.ts';
import { parseByRanges } from './parse-by-ranges.ts';
import { INFRASTRUCTURE_RETRY, UNLIMITED_RETRY } from './retry-policy.ts';

/** Bad input is never retried: the same bytes would fail the same way. */
const retry: ActivityOptions['retry'] = { ...INFRASTRUCTURE_RETRY, nonRetryableErrorTypes: NON_RETRYABLE_INGEST_FAILURE_TYPES };

/**
 * How long a silent activity may go before the server assumes its worker died and retries it
 * elsewhere. Stages heartbeat every batch, chunk or few seconds, so this bounds the stall after a
 * crashed worker without mistaking a slow statement for a dead one.
 */
const HEARTBEAT_TIMEOUT = '20 seconds';

const { hashAndClaim } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry,
});
// On cancel the workflow waits for these to actually stop, so that the cleanup that follows sees
// the database as the activity left it (a load either committed or rolled back, nothing in flight).
const { parseToStaging, parseRange, finishParse, loadFromStaging } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry,
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});
const { aggregateDays } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry,
});
// Recording the outcome is a one-row update that must eventually happen: retried without limit.
const { markFileCompleted, markFileFailed, discardCancelledIngestion } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: UNLIMITED_RETRY,
});

/**
 * One file through hash-dedupe → parse → load → aggregate. Its id is derived from the content
 * hash, so the same bytes cannot be ingested by two executions at once. Only ids, keys, counts
 * and dates enter its history; rows and emails stay in the database.
 *
 * Cancelling it before its load starts committing removes every trace of it from the database and
 * the workflow ends Cancelled. Once the load has begun to commit, a cancel is ignored and the file
 * finishes: undoing a load would need the orders it replaced, which no longer exist.
 */
export async function ingestFileWorkflow(input: IngestFileInput): Promise<IngestSummary> {
  const progress: IngestProgress = { stage: 'queued', fileId: null, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 };
  setHandler(ingestProgressQuery, () => progress);

  const summarize = (status: IngestStatus, extra: Partial<IngestSummary> = {}): IngestSummary => ({
    fileId: progress.fileId ?? '',
    filename: input.filename,
    status,
    rowsRead: progress.rowsRead,
    rowsLoaded: progress.rowsLoaded,
    rowsRejected: progress.rowsRejected,
    duplicateOf: null,
    aggregatedDays: 0,
    error: null,
    ...extra,
  });
  // A refused file's report is written before the refusal, under the key its object determines.
  const reportKeyIfRejects = () => (progress.rowsRejected > 0 ? rejectsReportKey(input.objectKey) : null);
  // The Web UI's "current details": rewritten at every step, so the page says where the file is.
  const tell = (state: Omit<IngestDetailsState, 'filename' | 'progress'> = {}) =>
    setCurrentDetails(ingestDetails({ filename: input.filename, progress, ...state }));
  // Each activity's summary names the file and what the activity does, on the Web UI's timeline.
  const about = (summary: string): ActivityOptions => ({ summary });
  const name = input.filename;
  const publish = (status: IngestStatus) =>
    upsertSearchAttributes([
      { key: IngestSearchAttributes.ingestStatus, value: status },
      { key: IngestSearchAttributes.rowsRead, value: progress.rowsRead },
      { key: IngestSearchAttributes.rowsLoaded, value: progress.rowsLoaded },
      { key: IngestSearchAttributes.rowsRejected, value: progress.rowsRejected },
    ]);

  upsertSearchAttributes([
    { key: IngestSearchAttributes.filename, value: input.filename },
    { key: IngestSearchAttributes.contentHash, value: input.contentHash },
    { key: IngestSearchAttributes.ingestStatus, value: 'processing' },
  ]);

  // Short, and it creates the row a cancel must clean up: let it finish so the file id is known.
  progress.stage = 'hash-dedupe';
  tell();
  // The original run id survives a Web UI reset: the claim tells a re-run from a new submission by it.
  const claimInput = { ...input, claimedBy: workflowInfo().originalExecutionRunId };
  const claim = await CancellationScope.nonCancellable(() =>
    hashAndClaim.executeWithOptions(about(summaries.hashAndClaim(name)), [claimInput]),
  ).catch((error: unknown) => {
    // No file row exists to record it in (a missing object, say): the details still say why.
    tell({ status: 'failed', error: failureMessage(error) });
    throw error;
  });
  progress.fileId = claim.fileId;
  upsertSearchAttributes([{ key: IngestSearchAttributes.ingestionFileId, value: claim.fileId }]);
  if (claim.duplicateOf !== null) {
    progress.stage = 'done';
    publish('duplicate');
    tell({ status: 'duplicate', duplicateOf: claim.duplicateOf });
    return summarize('duplicate', { duplicateOf: claim.duplicateOf });
  }
  if (claim.completedBefore !== undefined) {
    // This run completed the file before it was reset: report that outcome again, change nothing.
    const { aggregatedDays, ...counts } = claim.completedBefore;
    Object.assign(progress, counts, { stage: 'done' });
    publish('completed');
    tell({ status: 'completed', aggregatedDays, rejectsReportKey: reportKeyIfRejects(), rerun: true });
    return summarize('completed', { aggregatedDays });
  }

  let rejectsReport: string | null = null;
  try {
    let loaded: Awaited<ReturnType<typeof loadFromStaging>>;
    try {
      progress.stage = 'parse';
      publish('parsing');
      tell();
      const parseInput = { fileId: claim.fileId, objectKey: input.objectKey, filename: input.filename };
      // A claim recorded before files were split has no count; a one-part file needs no split.
      const parts = claim.parseRanges ?? 1;
      const parsed =
        parts > 1 && patched('parse-by-ranges')
          ? await parseByRanges(
              {
                parseRange: (part) =>
                  parseRange.executeWithOptions(about(summaries.parseRange(name, part.rangeIndex, parts)), [part]),
                finishParse: (all) => finishParse.executeWithOptions(about(summaries.finishParse(name)), [all]),
              },
              parseInput,
              parts,
            )
          : await parseToStaging.executeWithOptions(about(summaries.parseToStaging(name)), [parseInput]);
      progress.rowsRead = parsed.rowsRead;
      progress.rowsRejected = parsed.rowsRejected;
      rejectsReport = parsed.rejectsReportKey;

      progress.stage = 'load';
      publish('loading');
      tell({ rejectsReportKey: rejectsReport });
      loaded = await loadFromStaging.executeWithOptions(about(summaries.loadFromStaging(name)), [{ fileId: claim.fileId }]);
    } catch (error) {
      // A stage that timed out or failed while a cancel was pending counts as cancelled too: the
      // cleanup below serialises with a load still committing (both lock the file row).
      if (!isCancellation(error) && !CancellationScope.current().consideredCancelled) throw error;
      const outcome = await CancellationScope.nonCancellable(() =>
        discardCancelledIngestion.executeWithOptions(about(summaries.discardCancelledIngestion(name)), [
          { fileId: claim.fileId },
        ]),
      );
      if (outcome.discarded) {
        progress.stage = 'done';
        publish('cancelled');
        tell({ status: 'cancelled' });
        throw isCancellation(error) ? error : new CancelledFailure('the ingestion was cancelled');
      }
      // The load committed while the cancel was on its way: a retried load returns what it recorded.
      loaded = await CancellationScope.nonCancellable(() =>
        loadFromStaging.executeWithOptions(about(summaries.loadFromStaging(name)), [{ fileId: claim.fileId }]),
      );
    }
    progress.rowsLoaded = loaded.rowsLoaded;

    return await CancellationScope.nonCancellable(async () => {
      progress.stage = 'aggregate';
      publish('aggregating');
      tell({ rejectsReportKey: rejectsReport });
      // The file's days stay in the database; a history recorded before that carries them in the load's result.
      const aggregated = await aggregateDays.executeWithOptions(about(summaries.aggregateDays(name)), [
        patched('aggregate-days-by-file-id')
          ? { fileId: claim.fileId }
          : { dates: loaded.affectedDates ?? [], onlyChangedDays: true },
      ]);
      await markFileCompleted.executeWithOptions(about(summaries.markFileCompleted(name)), [{ fileId: claim.fileId }]);
      progress.stage = 'done';
      publish('completed');
      const aggregatedDays = aggregated.daysAggregated;
      tell({ status: 'completed', aggregatedDays, rejectsReportKey: rejectsReport });
      return summarize('completed', { aggregatedDays });
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const message = failureMessage(error);
    const counts = rejectCounts(error);
    if (counts) {
      progress.rowsRead = counts.dataRows;
      progress.rowsRejected = counts.rejectedRows;
    }
    await CancellationScope.nonCancellable(() =>
      markFileFailed.executeWithOptions(about(summaries.markFileFailed(name)), [
        { fileId: claim.fileId, errorMessage: message },
      ]),
    );
    progress.stage = 'done';
    publish('failed');
    tell({ status: 'failed', error: message, rejectsReportKey: rejectsReport ?? reportKeyIfRejects() });
    // The workflow fails (red in the Web UI, ExecutionStatus="Failed") and carries the summary.
    throw ApplicationFailure.create({
      message,
      type: failureType(error),
      nonRetryable: true,
      details: [summarize('failed', { error: message })],
    });
  }
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** A file refused for its reject ratio still tells how many rows were read and rejected. */
function rejectCounts(error: unknown): { dataRows: number; rejectedRows: number } | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.type !== IngestFailureTypes.tooManyRejects) return undefined;
  const details: unknown = cause.details?.[0];
  if (typeof details !== 'object' || details === null) return undefined;
  const { dataRows, rejectedRows } = details as Record<string, unknown>;
  return typeof dataRows === 'number' && typeof rejectedRows === 'number' ? { dataRows, rejectedRows } : undefined;
}

function failureType(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type ? cause.type : 'IngestionFailed';
}
