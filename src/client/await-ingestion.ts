import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { type IngestProgress, ingestProgressQuery, IngestSearchAttributes, type IngestSummary, type ParseHeartbeatDetails } from '../workflows/ingest-file-contract.ts';
import type { Activities } from '../activities/index.ts';
import { pollChanges } from './poll-changes.ts';
import { withParseHeartbeat } from './progress/file-progress.ts';
import type { ingestFileWorkflow } from '../workflows/ingest-file.ts';

/** A handle on an ingestion workflow, however it was obtained: started, attached to or looked up. */
export type IngestHandle = WorkflowHandle<typeof ingestFileWorkflow>;

const POLL_INTERVAL_MS = 500;
/** The activity whose heartbeat carries the parse's line reached. */
const PARSE_ACTIVITY: keyof Activities = 'parseToStaging';

/**
 * Waits for an ingestion to finish and returns its summary, also for a failed file (whose summary
 * travels in the workflow failure's details). Progress comes from the workflow: its `progress`
 * query, and during the parse the row its parse activity last heartbeated (from the execution's
 * description), never from polling the database.
 */
export async function awaitIngestion(
  handle: IngestHandle,
  onProgress?: (progress: IngestProgress) => void,
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

/** The workflow's progress with the parse activity's live row count folded in. */
export async function readLiveProgress(handle: IngestHandle): Promise<IngestProgress> {
  const progress = await handle.query(ingestProgressQuery);
  if (progress.stage !== 'parse') return progress;
  return withParseHeartbeat(progress, await parseHeartbeatLine(handle));
}

async function parseHeartbeatLine(handle: IngestHandle): Promise<number | null> {
  const description = await handle.describe();
  const parse = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === PARSE_ACTIVITY);
  const payload = parse?.heartbeatDetails?.payloads?.[0];
  if (!payload) return null;
  const details = defaultPayloadConverter.fromPayload<Partial<ParseHeartbeatDetails> | null>(payload);
  return typeof details?.lineNumber === 'number' ? details.lineNumber : null;
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
