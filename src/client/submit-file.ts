import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { ingestWorkflowId, SearchAttributes, type IngestFileInput } from '../shared.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { uploadKey } from '../storage/object-keys.ts';
import type { ingestFileWorkflow } from '../workflows/ingest-file.ts';

export type IngestHandle = WorkflowHandle<typeof ingestFileWorkflow>;

export type SubmittedFile = IngestFileInput & { workflowId: string; handle: IngestHandle };

/**
 * Uploads a local file and starts its ingestion workflow. The workflow id is derived from the
 * content hash: starting the same bytes while they are being ingested attaches to the running
 * execution instead of starting a second one, and starting them after it finished lets the new
 * execution report the duplicate.
 */
export async function submitFile(
  deps: { client: Client; store: ObjectStore; taskQueue: string },
  localPath: string,
  filename: string = basename(localPath),
): Promise<SubmittedFile> {
  const contentHash = await sha256File(localPath);
  const objectKey = uploadKey(contentHash, filename);
  await deps.store.uploadFile(objectKey, localPath);
  const input: IngestFileInput = { objectKey, filename, contentHash };
  const workflowId = ingestWorkflowId(contentHash);
  const handle = await deps.client.workflow.start<typeof ingestFileWorkflow>('ingestFileWorkflow', {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: SearchAttributes.filename, value: filename },
      { key: SearchAttributes.contentHash, value: contentHash },
      { key: SearchAttributes.ingestStatus, value: 'processing' },
    ],
  });
  return { ...input, workflowId, handle };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
