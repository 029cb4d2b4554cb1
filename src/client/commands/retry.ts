import { loadStorageConfig, loadTemporalConfig } from '../../config.ts';
import { InvalidFileError, MissingObjectError } from '../../errors.ts';
import { ingestWorkflowId } from '../../workflows/ingest-file-contract.ts';
import { createObjectStore } from '../../storage/object-store.ts';
import { awaitIngestion } from '../await-ingestion.ts';
import { commandRunner } from '../command-line/run.ts';
import { RETRY } from '../command-specs/ingestion.ts';
import { usingClient, whileReachable } from '../connection-watch.ts';
import { out } from '../output.ts';
import { terminalProgressDisplay } from '../progress/terminal-display.ts';
import { ensureReachable, storageEndpoint, temporalEndpoint } from '../reachability.ts';
import { startedInput } from '../started-input.ts';
import type { IngestHandle } from '../await-ingestion.ts';
import { sha256Stream, startIngestion } from '../submit-file.ts';
import { connectClient } from '../temporal-client.ts';
import { describeIngestion, resolveWorkflowId } from './status.ts';

const RETRYABLE = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

/**
 * A new attempt of a file whose last attempt did not complete, once its cause is fixed (a
 * database outage, a bad object replaced). The content hash names the file, so retry re-reads the
 * object the failed attempt read: if it still holds the same bytes, the same workflow id runs
 * again (the failed file row is reset and re-used); if the object was replaced, its new content is
 * a different file, ingested under its own id, and the failed record stays as it was.
 */
export const retryCommand = commandRunner('retry', RETRY, async ({ values, args }) => {
  const temporal = loadTemporalConfig();
  const workflowId = await resolveWorkflowId(args.id);
  await ensureReachable(temporalEndpoint(temporal));
  const client = await connectClient(temporal);
  return usingClient(client, async () => {
    const previous: IngestHandle = client.workflow.getHandle(workflowId);
    const status = (await describeIngestion(previous)).status.name;
    if (!RETRYABLE.has(status)) {
      out.error(
        status === 'RUNNING'
          ? `${workflowId} is still running; follow it with \`pipeforge status ${workflowId} --follow\``
          : `${workflowId} ${status.toLowerCase()}; there is nothing to retry`,
      );
      return 1;
    }
    const input = await startedInput(previous);
    const storage = loadStorageConfig();
    await ensureReachable(storageEndpoint(storage));
    const store = createObjectStore(storage);
    const object = await store.read(input.objectKey).catch((error: unknown) => {
      if (error instanceof MissingObjectError) {
        throw new InvalidFileError(`${input.objectKey} is no longer in the bucket; ingest the file again`, input);
      }
      throw error;
    });
    const currentHash = await sha256Stream(object);
    const retried = currentHash === input.contentHash ? input : { ...input, contentHash: currentHash };
    if (retried !== input && !values.json) {
      out.line(
        `${input.objectKey} was replaced: it now holds different content, ingested as a new file ` +
          `(${ingestWorkflowId(currentHash)}); the failed record of the old content stays as it was`,
      );
    }
    const started = await startIngestion({ client, taskQueue: temporal.taskQueue }, retried, {
      command: 'pipeforge retry',
      sizeBytes: await store.size(retried.objectKey),
    });
    if (!values.json) out.line(`${started.filename}: started ${started.workflowId} (retry)`);
    if (!values.wait) {
      if (values.json) out.json({ workflowId: started.workflowId, objectKey: started.objectKey, contentHash: started.contentHash });
      return 0;
    }
    const display = values.json ? null : terminalProgressDisplay([started.filename]);
    const following = awaitIngestion(started.handle, (progress) => display?.update(0, progress));
    const summary = await whileReachable(temporalEndpoint(temporal), following, `while following ${started.workflowId}`);
    display?.finish(0, summary);
    if (values.json) out.json(summary);
    return summary.status === 'failed' ? 1 : 0;
  });
});

