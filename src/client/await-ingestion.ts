import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { progressQuery, type IngestProgress, type IngestSummary } from '../shared.ts';
import type { IngestHandle } from './submit-file.ts';

const POLL_INTERVAL_MS = 500;

/**
 * Waits for an ingestion to finish and returns its summary, also for a failed file (whose summary
 * travels in the workflow failure's details). Progress comes from the workflow's `progress` query,
 * not from polling the database.
 */
export async function awaitIngestion(
  handle: IngestHandle,
  onProgress?: (progress: IngestProgress) => void,
): Promise<IngestSummary> {
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  if (onProgress) void pollProgress(handle, onProgress, () => finished);
  try {
    return await result;
  } catch (error) {
    const summary = failedSummary(error);
    if (summary) return summary;
    throw error;
  }
}

async function pollProgress(handle: IngestHandle, onProgress: (p: IngestProgress) => void, isFinished: () => boolean) {
  let last = '';
  while (!isFinished()) {
    try {
      const progress = await handle.query(progressQuery);
      const key = JSON.stringify(progress);
      if (key !== last && !isFinished()) onProgress(progress);
      last = key;
    } catch {
      // A query can fail while no worker has picked the workflow up yet; the next poll retries.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function failedSummary(error: unknown): IngestSummary | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && isSummary(cause.details?.[0])) return cause.details[0];
  return undefined;
}

function isSummary(value: unknown): value is IngestSummary {
  return typeof value === 'object' && value !== null && 'status' in value && 'fileId' in value;
}
