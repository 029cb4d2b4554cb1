import type { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { openCopyConnection, type CopyConnection } from '../db/copy-connection.ts';
import { copyStagingRows } from '../db/staging-copy.ts';
import { readOrderLines } from '../domain/csv-order-lines.ts';
import { createEmailHasher } from '../domain/email.ts';
import { InvalidFileError, MissingObjectError } from '../errors.ts';
import type { FromThread, ParseJob, ThreadError, ToThread } from './protocol.ts';
import { openParseSource } from './read-source.ts';
import { createStageBatcher, type StageBatch } from './stage-batch.ts';

/**
 * A parse thread: reads one job at a time from the object store (read-source.ts) into stage
 * batches, and COPYs each into staging over a connection of its own. What goes back to the
 * activity is small (counts, rejects, bytes read), which it records and heartbeats; Temporal stays
 * on the main thread.
 */

/** Batches staged but not yet recorded by the activity: the reading pauses beyond this. */
const BATCHES_AHEAD = 2;
/**
 * About how many rows the reader's batches hold, each rendered into its stage batch as it comes
 * (stage-batch.ts): few, so that a line object lives through as few young-generation collections
 * as possible.
 */
const READ_BATCH_ROWS = 250;

/** Equal parts of a stage batch near READ_BATCH_ROWS, so stage batches keep the job's size where it divides. */
function readBatchRows(stageBatchRows: number): number {
  return Math.ceil(stageBatchRows / Math.ceil(stageBatchRows / READ_BATCH_ROWS));
}

if (parentPort === null) throw new Error('thread-entry.ts runs only as a worker thread');
const port = parentPort;
const post = (message: FromThread): void => port.postMessage(message);

/**
 * One hasher per thread, kept from job to job: a file's parts share most of their customers, and
 * each part starting with an empty cache would hash them all again.
 */
let hasher: { key: string; hashEmail: (normalizedEmail: string) => string } | undefined;
function emailHasherFor(key: string): (normalizedEmail: string) => string {
  if (hasher?.key !== key) hasher = { key, hashEmail: createEmailHasher(key) };
  return hasher.hashEmail;
}

/** `source` is unset while the object is being opened. */
type Running = { source?: Readable | undefined; stopped: boolean; onTaken: () => void };
let running: Running | undefined;

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'start':
      void run(message.job);
      return;
    case 'taken':
      running?.onTaken();
      return;
    case 'stop':
      if (running === undefined) return;
      running.stopped = true;
      running.source?.destroy();
      running.onTaken();
      return;
  }
});

async function run(job: ParseJob): Promise<void> {
  let ahead = 0;
  let wake: (() => void) | undefined;
  const current: Running = {
    stopped: false,
    onTaken() {
      ahead = Math.max(0, ahead - 1);
      const resolve = wake;
      wake = undefined;
      resolve?.();
    },
  };
  running = current;
  let connection: CopyConnection | undefined;
  // One COPY in flight while the reading goes on; its failure surfaces at the next batch or the end.
  let writing: Promise<void> = Promise.resolve();
  let ending: FromThread;
  let bytesRead = (): number => 0;
  const writeBatch = async (batch: StageBatch): Promise<void> => {
    await writing;
    const { copyBytes, ...staged } = batch;
    const copy = staged.alreadyWritten
      ? Promise.resolve()
      : copyStagingRows((connection ??= await openCopyConnection(job.databaseUrl)), copyBytes, job.stagingWriter);
    writing = copy.then(() => {
      post({ type: 'staged', report: { ...staged, bytesRead: bytesRead() } });
      ahead += 1;
    });
    // Seen later, by the await above or below: an unhandled rejection would end the thread.
    writing.catch(() => {});
    while (ahead >= BATCHES_AHEAD && !current.stopped) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    const content = await openParseSource(job.source, job.filename);
    current.source = content.stream;
    bytesRead = content.bytesRead;
    // A stop that came while the object was being opened.
    if (current.stopped) content.stream.destroy();
    if (content.compressed) post({ type: 'log', level: 'info', details: {}, message: 'inflating a gzip-compressed file' });
    const batches = readOrderLines(content.stream, {
      filename: job.filename,
      sourceTimeZone: job.sourceTimeZone,
      hashEmail: emailHasherFor(job.emailHashKey),
      batchSize: readBatchRows(job.batchSize),
      logger: { warn: (details, message) => post({ type: 'log', level: 'warn', details, message }) },
      ...(job.range === undefined ? {} : { range: job.range }),
    });
    const stage = createStageBatcher(job.fileId, job.resumeAfter, job.batchSize);
    for await (const batch of batches) {
      if (current.stopped) break;
      const full = stage.add(batch);
      if (full !== null) await writeBatch(full);
      if (current.stopped) break;
    }
    if (!current.stopped) await writeBatch(stage.finish());
    await writing;
    ending = { type: 'done' };
  } catch (error) {
    // A COPY still in flight reports first: nothing of this job may reach the activity after its end.
    await writing.catch(() => {});
    // After a stop the reading was cut on purpose: what it threw says nothing about the file.
    ending = current.stopped ? { type: 'done' } : { type: 'failed', error: toThreadError(error) };
  }
  // Gives the object's connection back when the reading stopped short of its end.
  current.source?.destroy();
  running = undefined;
  post(ending);
  await connection?.close();
}

function toThreadError(error: unknown): ThreadError {
  if (error instanceof InvalidFileError) return { kind: 'invalid-file', reason: error.reason, filename: error.filename, line: error.line };
  if (error instanceof MissingObjectError) return { kind: 'missing-object', objectKey: error.objectKey };
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
  return { kind: 'other', name, message, stack };
}
