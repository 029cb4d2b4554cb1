import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { ingestProgressQuery, IngestSearchAttributes, type IngestSummary, type ParseHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import type { Activities } from '../activities/index.ts';
import { pollChanges } from './poll-changes.ts';
import { withParseHeartbeat } from './progress/file-progress.ts';
import { stageProgressOf, type LiveProgress, type PendingDetails } from './progress/stage-progress.ts';
import type { ingestFileWorkflow } from '../workflows/ingest-file.ts';

/** A handle on an ingestion workflow, however it was obtained: started, attached to or looked up. */
export type IngestHandle = WorkflowHandle<typeof ingestFileWorkflow>;

const POLL_INTERVAL_MS = 500;
/** The activity whose heartbeat carries the parse's line reached (the whole file in one activity). */
const PARSE_ACTIVITY: keyof Activities = 'parseToStaging';

/**
 * Waits for an ingestion to finish and returns its summary, also for a failed file (whose summary
 * travels in the workflow failure's details). Progress comes from the workflow: its `progress`
 * query, and during the parse the row its parse activity last heartbeated (from the execution's
 * description), never from polling the database.
 */
export async function awaitIngestion(
  handle: IngestHandle,
  onProgress?: (progress: LiveProgress) => void,
): Promise<IngestSummary> {
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  if (onProgress) void pollChanges(() => readLiveProgress(handle), onProgress, () => finished, POLL_INTERVAL_MS);
  try {
    return await result;
  } catch (error) {
    const summary = failedSummary(error);
    if (summary) return summary;
    if (error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure) return summaryWithoutResult(handle, 'cancelled', null);
    // Terminated or timed out by an operator or the server: no summary was written, say why.
    if (error instanceof WorkflowFailedError) return summaryWithoutResult(handle, 'failed', error.cause?.message ?? error.message);
    throw error;
  }
}

/** A workflow that ended without a summary of its own; its name is still in its search attributes. */
async function summaryWithoutResult(handle: IngestHandle, status: 'cancelled' | 'failed', error: string | null): Promise<IngestSummary> {
  const attributes = (await handle.describe()).typedSearchAttributes;
  return {
    fileId: attributes.get(IngestSearchAttributes.ingestionFileId) ?? '',
    filename: attributes.get(IngestSearchAttributes.filename) ?? handle.workflowId,
    status,
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    duplicateOf: null,
    aggregatedDays: 0,
    error,
  };
}

/**
 * The workflow's progress with its running activities' last heartbeats folded in (read from the
 * execution's description, so the workflow itself needs nothing new): the parse's live row count
 * and, for every stage that reports one, how far it is.
 */
export async function readLiveProgress(handle: IngestHandle): Promise<LiveProgress> {
  const progress = await handle.query(ingestProgressQuery);
  if (progress.stage === 'queued' || progress.stage === 'done') return progress;
  const pending = await pendingDetails(handle);
  const stageProgress = stageProgressOf(progress, pending);
  const parse = pending.find((activity) => activity.type === PARSE_ACTIVITY)?.details as Partial<ParseHeartbeatDetails> | null | undefined;
  const heartbeatLine = typeof parse?.lineNumber === 'number' ? parse.lineNumber : null;
  return { ...withParseHeartbeat(progress, heartbeatLine), stageProgress };
}

async function pendingDetails(handle: IngestHandle): Promise<PendingDetails[]> {
  const description = await handle.describe();
  return (description.raw.pendingActivities ?? []).map((activity) => {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    return {
      type: activity.activityType?.name ?? '',
      details: payload ? defaultPayloadConverter.fromPayload<unknown>(payload) : null,
    };
  });
}

export function failedSummary(error: unknown): IngestSummary | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && isSummary(cause.details?.[0])) return cause.details[0];
  return undefined;
}

function isSummary(value: unknown): value is IngestSummary {
  return typeof value === 'object' && value !== null && 'status' in value && 'fileId' in value;
}
