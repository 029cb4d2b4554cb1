import { defaultPayloadConverter } from '@temporalio/common';
import type { IngestFileInput } from '../workflows/ingest-file-contract.ts';
import type { IngestHandle } from './await-ingestion.ts';

/** The input the last run started with, from its history: the object key, name and content hash. */
export async function startedInput(handle: IngestHandle): Promise<IngestFileInput> {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = payload ? defaultPayloadConverter.fromPayload<Partial<IngestFileInput> | null>(payload) : null;
  if (!input || typeof input.objectKey !== 'string' || typeof input.filename !== 'string' || typeof input.contentHash !== 'string') {
    throw new Error(`${handle.workflowId} is not an ingestion this version of pipeforge understands`);
  }
  return { objectKey: input.objectKey, filename: input.filename, contentHash: input.contentHash };
}
