import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { readOrderLines } from '../domain/csv-order-lines.ts';
import { createEmailHasher } from '../domain/email.ts';
import { InvalidFileError } from '../errors.ts';
import type { FromThread, ParseJob, ThreadError, ToThread } from './protocol.ts';
import { createStageBatcher, type StageBatch } from './stage-batch.ts';

/**
 * A parse thread: reads one job at a time into stage batches. The bytes come from the activity
 * on request and the batches go back to it, so PostgreSQL, MinIO and Temporal stay on the main
 * thread and only the CPU-bound reading runs here.
 */

/** Batches handed over but not yet taken: the reading pauses beyond this, as the main-thread parse does. */
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
const post = (message: FromThread, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

/**
 * One hasher per thread, kept from job to job: a file's parts share most of their customers, and
 * each part starting with an empty cache would hash them all again.
 */
let hasher: { key: string; hashEmail: (normalizedEmail: string) => string } | undefined;
function emailHasherFor(key: string): (normalizedEmail: string) => string {
  if (hasher?.key !== key) hasher = { key, hashEmail: createEmailHasher(key) };
  return hasher.hashEmail;
}

type Running = { source: Readable; stopped: boolean; onTaken: () => void };
let running: Running | undefined;

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'start':
      void run(message.job);
      return;
    case 'bytes':
      running?.source.push(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength));
      return;
    case 'end':
      running?.source.push(null);
      return;
    case 'taken':
      running?.onTaken();
      return;
    case 'stop':
      if (running === undefined) return;
      running.stopped = true;
      running.source.destroy();
      running.onTaken();
      return;
  }
});

async function run(job: ParseJob): Promise<void> {
  const source = new Readable({ highWaterMark: 256 * 1024, read: () => post({ type: 'pull' }) });
  let ahead = 0;
  let wake: (() => void) | undefined;
  const current: Running = {
    source,
    stopped: false,
    onTaken() {
      ahead = Math.max(0, ahead - 1);
      const resolve = wake;
      wake = undefined;
      resolve?.();
    },
  };
  running = current;
  const hand = async (batch: StageBatch): Promise<void> => {
    // Moved, not copied: the bytes are in a buffer of their own (stage-batch.ts).
    post({ type: 'batch', batch }, [batch.copyBytes.buffer as ArrayBuffer]);
    ahead += 1;
    while (ahead >= BATCHES_AHEAD && !current.stopped) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    const batches = readOrderLines(source, {
      filename: job.filename,
      sourceTimeZone: job.sourceTimeZone,
      hashEmail: emailHasherFor(job.emailHashKey),
      batchSize: readBatchRows(job.batchSize),
      logger: { warn: (details, message) => post({ type: 'warn', details, message }) },
      ...(job.range === undefined ? {} : { range: job.range }),
    });
    const stage = createStageBatcher(job.fileId, job.resumeAfter, job.batchSize);
    for await (const batch of batches) {
      if (current.stopped) break;
      const full = stage.add(batch);
      if (full !== null) await hand(full);
      if (current.stopped) break;
    }
    if (!current.stopped) await hand(stage.finish());
    running = undefined;
    post({ type: 'done' });
  } catch (error) {
    running = undefined;
    // After a stop the reading was cut on purpose: what it threw says nothing about the file.
    post(current.stopped ? { type: 'done' } : { type: 'failed', error: toThreadError(error) });
  }
}

function toThreadError(error: unknown): ThreadError {
  if (error instanceof InvalidFileError) return { kind: 'invalid-file', reason: error.reason, filename: error.filename, line: error.line };
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
  return { kind: 'other', name, message, stack };
}
