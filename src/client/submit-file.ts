import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { type IngestFileInput, type IngestProgress, IngestSearchAttributes, type IngestSummary, ingestWorkflowId } from '../workflows/ingest-file-contract.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { objectFileName, uploadKey } from '../storage/object-keys.ts';
import { ingestFileWorkflow } from '../workflows/ingest-file.ts';
import { awaitIngestion, type IngestHandle } from './await-ingestion.ts';
import { ingestStartMetadata, type IngestOrigin } from './start-metadata.ts';

export type SubmittedFile = IngestFileInput & {
  workflowId: string;
  handle: IngestHandle;
  /** The same content was already being ingested (under this or another name): this follows that run. */
  attachedToRunning: boolean;
};

export type SubmitDeps = { client: Client; store: ObjectStore; taskQueue: string };

/**
 * Uploads a local file and starts its ingestion workflow. The workflow id is derived from the
 * content hash: starting the same bytes while they are being ingested attaches to the running
 * execution instead of starting a second one, and starting them after it finished lets the new
 * execution report the duplicate.
 */
export async function submitFile(deps: SubmitDeps, localPath: string, filename: string = basename(localPath)): Promise<SubmittedFile> {
  const input = await uploadLocalFile(deps.store, localPath, filename);
  return startIngestion(deps, input, { command: 'pipeforge', sizeBytes: (await stat(localPath)).size });
}

/** The first half of submitFile: the file in the bucket under its content hash, not yet started. */
export async function uploadLocalFile(store: ObjectStore, localPath: string, filename: string = basename(localPath)): Promise<IngestFileInput> {
  const contentHash = await sha256File(localPath);
  const objectKey = uploadKey(contentHash, filename);
  await store.uploadFile(objectKey, localPath);
  return { objectKey, filename, contentHash };
}

/**
 * The workflow input for an object already in the bucket (a file dropped by another tool): its
 * key, the name it is known by, and its hash. The stored bytes are hashed as they stream by, so
 * the workflow id names what is really there.
 */
export async function storedObjectInput(store: ObjectStore, objectKey: string): Promise<IngestFileInput> {
  const contentHash = await sha256Stream(await store.read(objectKey));
  return { objectKey, filename: objectFileName(objectKey), contentHash };
}

/**
 * Starts the workflow of one stored object whose hash is known. If the same content is being
 * ingested right now, nothing new starts: the caller follows the running execution, and
 * `awaitSubmitted` reports this submission as a duplicate of it. `origin` fills the summary and
 * details the Web UI shows for it.
 */
export async function startIngestion(
  deps: Pick<SubmitDeps, 'client' | 'taskQueue'>,
  input: IngestFileInput,
  origin: IngestOrigin = {},
): Promise<SubmittedFile> {
  const workflowId = ingestWorkflowId(input.contentHash);
  try {
    const handle = await deps.client.workflow.start(ingestFileWorkflow, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      ...ingestStartMetadata(input, origin),
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: IngestSearchAttributes.filename, value: input.filename },
        { key: IngestSearchAttributes.contentHash, value: input.contentHash },
        { key: IngestSearchAttributes.ingestStatus, value: 'processing' },
      ],
    });
    return { ...input, workflowId, handle, attachedToRunning: false };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const handle: IngestHandle = deps.client.workflow.getHandle(workflowId);
    return { ...input, workflowId, handle, attachedToRunning: true };
  }
}

/**
 * Waits for a submission's outcome as its caller should see it: a submission that followed a run
 * started by another is, once that run completes, a duplicate of the file it loaded.
 */
export async function awaitSubmitted(
  file: SubmittedFile,
  onProgress?: (progress: IngestProgress) => void,
): Promise<IngestSummary> {
  const summary = await awaitIngestion(file.handle, onProgress);
  if (!file.attachedToRunning || summary.status !== 'completed') return summary;
  return {
    ...summary,
    filename: file.filename,
    status: 'duplicate',
    duplicateOf: summary.fileId,
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    aggregatedDays: 0,
  };
}

export async function sha256File(path: string): Promise<string> {
  return sha256Stream(createReadStream(path));
}

export async function sha256Stream(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
