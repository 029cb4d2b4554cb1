import { stat } from 'node:fs/promises';
import { loadStorageConfig, loadTemporalConfig } from '../../config.ts';
import { createObjectStore } from '../../storage/object-store.ts';
import { CommandError } from '../command-error.ts';
import { commandRunner } from '../command-line/run.ts';
import { INGEST } from '../command-specs/ingestion.ts';
import { usingClient, whileReachable } from '../connection-watch.ts';
import { out } from '../output.ts';
import { terminalProgressDisplay } from '../progress/terminal-display.ts';
import { ensureReachable, storageEndpoint, temporalEndpoint } from '../reachability.ts';
import { awaitSubmitted, startIngestion, uploadLocalFile, type SubmittedFile } from '../submit-file.ts';
import { connectClient } from '../temporal-client.ts';

/** Every path is checked before anything is uploaded, so one typo does not leave half a batch started. */
async function checkReadableFile(path: string): Promise<void> {
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new CommandError(`${path}: no such file`);
    throw error;
  });
  if (found.isDirectory()) {
    const glob = `${path.replace(/\/+$/, '')}/*.csv`;
    throw new CommandError(`${path} is a directory; give the files in it, e.g. \`pipeforge ingest ${glob}\``);
  }
}

/**
 * Worded for every outcome: a started workflow may still find that its content was loaded before
 * (a duplicate), which only the workflow knows; "submitted" stays true either way.
 */
function submittedLine(file: SubmittedFile): string {
  return file.attachedToRunning
    ? `${file.filename}: the same content is being ingested right now by ${file.workflowId}; this follows it`
    : `${file.filename}: submitted as ${file.workflowId}`;
}

export const ingestCommand = commandRunner('ingest', INGEST, async ({ values, args }) => {
  for (const path of args.file) await checkReadableFile(path);

  const temporal = loadTemporalConfig();
  const storage = loadStorageConfig();
  await ensureReachable(storageEndpoint(storage), temporalEndpoint(temporal));
  const store = createObjectStore(storage);
  // The files upload while the client connects: for a small file the two take about as long.
  const connecting = connectClient(temporal);
  const uploading = (async () => {
    await store.ensureBucket();
    const inputs = [];
    for (const path of args.file) inputs.push({ input: await uploadLocalFile(store, path), sizeBytes: (await stat(path)).size });
    return inputs;
  })();
  const client = await connecting.catch(async (error: unknown) => {
    await uploading.catch(() => {});
    throw error;
  });
  return usingClient(client, async () => {
    const submitted = [];
    for (const { input, sizeBytes } of await uploading) {
      const file = await startIngestion({ client, taskQueue: temporal.taskQueue }, input, { command: 'pipeforge ingest', sizeBytes });
      submitted.push(file);
      if (!values.json) out.line(submittedLine(file));
    }
    if (!values.wait) {
      if (values.json) out.json(submitted.map(({ handle: _handle, ...file }) => file));
      return 0;
    }
    const display = values.json ? null : terminalProgressDisplay(submitted.map((file) => file.filename));
    const following = Promise.all(
      submitted.map(async (file, index) => {
        const summary = await awaitSubmitted(file, (progress) => display?.update(index, progress));
        display?.finish(index, summary);
        return summary;
      }),
    );
    const summaries = await whileReachable(temporalEndpoint(temporal), following, 'while following the ingestion (it goes on once the server is back)');
    if (values.json) out.json(summaries);
    return summaries.some((summary) => summary.status === 'failed' || summary.status === 'cancelled') ? 1 : 0;
  });
});
